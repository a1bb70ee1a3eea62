import type { ClockReport, ListenersReport, StatusReport } from '../contract.ts';
import type { Session } from '../session/session.ts';
import type { Out } from './emit.ts';
import { badge, exitFor, formatFindings, heading, table } from './output.ts';

/** `clawbar status`: gateway health, listeners, clock and the worst findings, on one screen. */
export async function statusCommand(session: Session, args: { json: boolean }, out: Out): Promise<number> {
  const [service, settings] = await Promise.all([session.service(), session.settings()]);
  const report = await session.status(service, settings, 'status');
  const { watcherLine, watcherSummary } = await import('../watch/summary.ts');
  const watcher = await watcherSummary(session.world, settings);
  const line = watcherLine(watcher, session.world.now());
  out.print(args.json, { ...report, watcher }, () => formatStatus(report, line));
  return exitFor(report.overall);
}

/** `clawbar listeners`: exposure of every TCP listener and drift since the baseline. */
export async function listenersCommand(session: Session, args: { json: boolean; saveBaseline: boolean; baseline?: string }, out: Out): Promise<number> {
  const [service, settings] = await Promise.all([session.service(), session.settings()]);
  const report = await session.listeners(service.facts.gateway, settings, { saveBaseline: args.saveBaseline, baselinePath: args.baseline });
  out.print(args.json, report, () => formatListeners(report));
  return exitFor(report.state);
}

/** `clawbar clock`: offset against NTP, with the HTTPS Date header as fallback. */
export async function clockCommand(session: Session, args: { json: boolean; server?: string }, out: Out): Promise<number> {
  const report = await session.clock(await session.settings(), { server: args.server });
  out.print(args.json, report, () => formatClock(report));
  return report.state === 'unknown' ? exitFor('warn') : exitFor(report.state);
}

const signed = (ms: number) => `${ms >= 0 ? '+' : '−'}${Math.abs(ms) >= 1000 ? `${(Math.abs(ms) / 1000).toFixed(2)} s` : `${Math.abs(ms).toFixed(1)} ms`}`;

export function formatClock(report: ClockReport): string {
  const lines = [`${heading('Clock')}  ${report.state === 'unknown' ? 'UNKN' : badge(report.state)}  ${report.offsetMs === null ? 'offset unknown' : `offset ${signed(report.offsetMs)} vs ${report.server} (${report.method}${report.stratum !== null ? `, stratum ${report.stratum}` : ''}${report.roundTripMs !== null ? `, rtt ${report.roundTripMs.toFixed(1)} ms` : ''})`}`];
  if (report.sntpError) lines.push(`  SNTP: ${report.sntpError}`);
  lines.push(...table(report.breaks.map((b) => [b.broken ? 'BROKEN' : 'ok', b.what, `±${b.limitMs / 1000} s`])));
  if (report.findings.length) lines.push(...formatFindings(report.findings));
  return `${lines.join('\n')}\n`;
}

export function formatListeners(report: ListenersReport): string {
  const lines = [`${heading('Listeners')}  ${badge(report.state)}  ${report.items.length} TCP listeners`];
  if (report.partial) lines.push(`  note: ${report.partial}`);
  lines.push(...table([['exposure', 'address', 'port', 'process', 'pid', ''], ...report.items.map((l) => [l.exposure + (l.network ? ` (${l.network})` : ''), l.address, String(l.port), l.process, String(l.pid), l.severity === 'ok' ? (l.note ?? '') : `${l.severity.toUpperCase()} ${l.note ?? ''}`])], 50));
  lines.push(`  baseline: ${report.baseline.savedAt ? `${report.baseline.path} (${report.baseline.savedAt}), ${report.baseline.changes.length} change(s)` : 'none saved (clawbar listeners --save-baseline)'}`);
  for (const c of report.baseline.changes) lines.push(`    ${c.change.padEnd(7)} ${c.process} ${c.address}:${c.port}${c.previousAddress ? ` (was ${c.previousAddress})` : ''}${c.ageHours !== null ? `, ${c.ageHours} h` : ''}`);
  if (report.firewall.state !== 'unknown') lines.push(`  application firewall: ${report.firewall.state}`);
  lines.push(...formatFindings(report.findings));
  return `${lines.join('\n')}\n`;
}

export function formatStatus(report: StatusReport, watcher?: string): string {
  const g = report.gateway;
  const listenerCounts = ['loopback', 'specific', 'wildcard'].map((e) => `${report.listeners.items.filter((l) => l.exposure === e).length} ${e}`).join(', ');
  const lines = [
    `${heading('clawbar status')}  ${badge(report.overall)}`,
    `  gateway    ${g.state.padEnd(9)} ${g.url}${g.latencyMs !== null ? `  ${g.latencyMs.toFixed(1)} ms` : ''}${g.version ? `  v${g.version}` : ''}${g.failing.length ? `  failing: ${g.failing.join(', ')}` : ''}${g.error ? `  (${g.error})` : ''}`,
    `  listeners  ${report.listeners.state.padEnd(9)} ${listenerCounts}`,
    `  clock      ${report.clock.state.padEnd(9)} ${report.clock.offsetMs === null ? 'unknown' : `${signed(report.clock.offsetMs)} (${report.clock.method}, ${report.clock.server})`}`,
    ...(watcher ? [`  watcher    ${watcher}`] : []),
    '',
    heading('Findings'),
    ...formatFindings(report.findings.slice(0, 8)),
  ];
  if (report.findings.length > 8) lines.push(`  … ${report.findings.length - 8} more (clawbar status --json)`);
  return `${lines.join('\n')}\n`;
}
