import type { ComponentChildren } from 'preact';
import type { LineState } from '../api.ts';
import { Skeleton } from './skeleton.tsx';

/** One glance tile: a state colour, a big value and one line under it. Same size loaded or not. */
export function Tile(props: { title: string; state: LineState | null; value: string | null; detail: string | null; onOpen?: () => void; testId: string }) {
  const label = `${props.title}: ${props.state ?? 'loading'}${props.value ? `, ${props.value}` : ''}`;
  const body: ComponentChildren = props.value === null
    ? <><Skeleton height={22} width={80} label={`${props.title} loading`} /><Skeleton height={12} width="90%" /></>
    : <><span class="tile-value">{props.value}</span><span class="tile-detail" title={props.detail ?? ''}>{props.detail}</span></>;
  const inner = <><span class="tile-title"><i class="dot" />{props.title}</span>{body}</>;
  // Only tiles that lead somewhere are buttons: a control that does nothing would be a trap for the keyboard.
  return props.onOpen
    ? <button type="button" class={`tile tone-${props.state ?? 'unknown'}`} data-testid={props.testId} data-state={props.state ?? 'loading'} onClick={props.onOpen} aria-label={label}>{inner}</button>
    : <div class={`tile tone-${props.state ?? 'unknown'}`} data-testid={props.testId} data-state={props.state ?? 'loading'} role="group" aria-label={label}>{inner}</div>;
}
