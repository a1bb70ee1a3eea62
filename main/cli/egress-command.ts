import type { EgressDestination, EgressReport } from '../contract.ts';
import type { Session } from '../session/session.ts';
import { InputError, UsageError } from '../system/errors.ts';
import { formatDuration, parseDuration } from '../watch/duration.ts';
import type { Out } from './emit.ts';
import { exitFor, formatFindings, heading, table } from './output.ts';

export interface EgressArgs {
  sub?: string;
  for?: string;
  interval?: string;
  plist?: string;
  json: boolean;
}

/** A minute shows the connections a gateway keeps open; the runbook's 24 h inventory is `--for 24h` (or the watcher). */
const DEFAULT_FOR = '60s';
const DEFAULT_INTERVAL = '2s';

/**
 * `clawbar egress observe [--for DURATION] [--interval DURATION]`: samples the
 * gateway process tree's established TCP connections and names each remote
 * address (allowlist and config hosts as the daemon resolves them, its proxy,
 * else the reverse name); the counts are kept for `report --allowlist`.
 */
export async function egressCommand(session: Session, args: EgressArgs, out: Out): Promise<number> {
  if (args.sub !== 'observe') throw new UsageError(args.sub ? `egress: unknown subcommand '${args.sub}' (use: egress observe)` : 'egress: use egress observe [--for DURATION]');
  const durationMs = parseDuration(args.for ?? DEFAULT_FOR);
  if (durationMs === null) throw new UsageError(`--for ${args.for}: use a duration such as 30s, 10m, 24h (at most 7d)`);
  const intervalMs = parseDuration(args.interval ?? DEFAULT_INTERVAL);
  if (intervalMs === null || intervalMs < 1_000 || intervalMs > durationMs + 1_000) throw new UsageError(`--interval ${args.interval}: use 1s or more, no longer than --for`);
  const service = await session.service(args.plist);
  if (!service.facts.service) throw new InputError('no gateway service found (use --plist PATH)');
  out.progress(`observing the gateway's connections for ${formatDuration(durationMs)}, every ${formatDuration(intervalMs)}…`);
  const report = await session.daemon.observeEgress(service, {
    durationMs, intervalMs,
    onSample: (done, total, connections) => out.progress(`[${done}/${total}] ${connections} connection(s)`),
  });
  out.print(args.json, report, () => formatEgress(report));
  return exitFor(report.overall);
}

const name = (d: EgressDestination) => (d.names.length ? d.names.join(', ') : '(no name)');
const time = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

function rows(destinations: EgressDestination[]): string[] {
  if (destinations.length === 0) return ['  nothing seen'];
  return table([
    ['destination', 'address:port', 'named by', 'connections', 'first seen', 'last seen'],
    ...destinations.map((d) => [name(d), `${d.address.includes(':') ? `[${d.address}]` : d.address}:${d.port}`, d.attribution === 'proxy' ? 'via proxy' : d.attribution, String(d.connections), time(d.firstSeen), time(d.lastSeen)]),
  ], 50);
}

export function formatEgress(report: EgressReport): string {
  const lines = [
    `${heading('Egress')}  ${report.samples} sample(s) in ${formatDuration(report.durationMs)} of the gateway's process tree (pids ${report.pids.join(', ') || 'none'})`,
    '',
    ...rows(report.observed),
    '',
    `${heading('Kept')}  since ${report.kept.since ? time(report.kept.since) : 'now'}: ${report.kept.destinations.length} destination(s) in ${report.kept.samples} sample(s) — compared with the allowlist in clawbar report --allowlist`,
  ];
  if (report.findings.length) lines.push('', heading('Findings'), ...formatFindings(report.findings));
  return `${lines.join('\n')}\n`;
}
