import type { AgentState, LineState } from '../ipc-contract.ts';

/**
 * What the menu-bar icon shows for an agent state: the icon for the worst
 * state (AgentState.overall, the worst of health, listeners, clock and the
 * last probe run), the gateway's latency as the title, and every status line
 * in the tooltip. Pure, so the mapping is tested without Electron.
 */

export type TrayIcon = 'tray-okTemplate' | 'tray-unknownTemplate' | 'tray-warn' | 'tray-critical';

export interface TrayAppearance {
  icon: TrayIcon;
  title: string;
  tooltip: string;
}

const ICONS: Record<LineState, TrayIcon> = {
  ok: 'tray-okTemplate',
  unknown: 'tray-unknownTemplate',
  warn: 'tray-warn',
  critical: 'tray-critical',
};

const WORDS: Record<LineState, string> = { ok: 'all ok', unknown: 'checking', warn: 'warning', critical: 'critical' };

/** Latency as the title shows it: one decimal below 10 ms (loopback answers in 1–2 ms), whole ms above. */
export function formatLatency(ms: number): string {
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

/** The title beside the icon: latency while the gateway answers, "down" when it does not, nothing before the first check. */
export function trayTitle(gateway: AgentState['gateway']): string {
  if (!gateway || gateway.state === 'unknown') return '';
  if (gateway.state === 'down') return 'down';
  return gateway.latencyMs === null ? '' : formatLatency(gateway.latencyMs);
}

/** Icon, title and tooltip for a state; the tooltip carries every line, so hovering answers "what is wrong". */
export function trayAppearance(state: AgentState): TrayAppearance {
  const { gateway, listeners, clock, egress } = state.lines;
  const header = `clawbar — ${WORDS[state.overall]}${state.paused ? ' (checks paused while the Mac sleeps)' : ''}`;
  return {
    icon: ICONS[state.overall],
    title: trayTitle(state.gateway),
    tooltip: [header, gateway.text, listeners.text, clock.text, egress.text].join('\n'),
  };
}
