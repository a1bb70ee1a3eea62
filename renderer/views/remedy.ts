import type { FixPreset } from '../navigate.ts';
import type { FixKind, Remedy, ViewName } from '../types.ts';

/**
 * How the popover shows a diagnosis's remedy. The remedy was decided where
 * the diagnosis was made; this only turns it into text and a button, the
 * same text the CLI and the report print.
 */

/** The button that opens a fix, by the fix it opens. */
export const FIX_LABEL: Record<FixKind, string> = { ca: 'Trust the CA', proxy: 'Set the proxy', bind: 'Bind to loopback', clock: 'Sync the clock' };

export interface RemedyAction { label: string; view: ViewName; preset?: FixPreset }

export interface RemedyDisplay {
  /** The fix in words; left out when it says nothing but the command. */
  fixText: string | null;
  /** The remedy's command line, as `clawbar` prints it after "run:". */
  command: string | null;
  /** Where a click leads; none when the remedy points at the view already shown. */
  action: RemedyAction | null;
}

/** The button for a remedy: the fix wizard with the fix preselected, or the view that explains the problem. */
export function remedyAction(remedy: Remedy | null | undefined, here: ViewName | null = null): RemedyAction | null {
  if (!remedy) return null;
  if (remedy.reapply) return { label: 'Put it back', view: 'fixes', preset: { reapply: remedy.reapply } };
  if (remedy.fix) return { label: FIX_LABEL[remedy.fix.kind], view: remedy.view, preset: remedy.fix };
  return remedy.view === here ? null : { label: 'Open', view: remedy.view };
}

export function remedyDisplay(item: { fix: string | null; remedy?: Remedy | null }, here: ViewName): RemedyDisplay {
  const command = item.remedy?.command ?? null;
  return { fixText: item.fix && item.fix !== command ? item.fix : null, command, action: remedyAction(item.remedy, here) };
}
