import type { ComponentChildren } from 'preact';

export type Tone = 'ok' | 'warn' | 'critical' | 'unknown' | 'info';

/** A small coloured label; the word carries the meaning, the colour only repeats it. */
export function Badge(props: { tone: Tone; children: ComponentChildren; title?: string }) {
  return <span class={`badge tone-${props.tone}`} title={props.title}>{props.children}</span>;
}

const TONE_OF: Record<string, Tone> = { ok: 'ok', warn: 'warn', critical: 'critical', unknown: 'unknown', degraded: 'warn', down: 'critical' };

export function StateBadge(props: { state: string }) {
  return <Badge tone={TONE_OF[props.state] ?? 'unknown'}>{props.state}</Badge>;
}

/** A probe's outcome: "ok" or the layer that failed. */
export function LayerBadge(props: { layer: string | null; missing?: boolean }) {
  if (props.missing) return <Badge tone="unknown">—</Badge>;
  return props.layer ? <Badge tone="critical">{props.layer}</Badge> : <Badge tone="ok">ok</Badge>;
}
