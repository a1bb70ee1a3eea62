import type { BaselineComparison, ProbeReport, ProbeResult } from '../contract.ts';
import { askedTargets } from '../probes/baseline.ts';
import { regressionLines } from '../report/daemon-world-markdown.ts';
import type { Session } from '../session/session.ts';
import { UsageError } from '../system/errors.ts';
import type { Out } from './emit.ts';
import { badge, exitFor, fixLines, formatFindings, heading, table } from './output.ts';

export interface ProbeArgs {
  plist?: string;
  target: string[];
  resolve: string[];
  dnsServer: string[];
  shellEnv: boolean;
  json: boolean;
  timeoutMs: number;
  /** Keep this run as a named baseline. */
  saveBaseline?: string;
  /** Compare this run with a named baseline (probing the baseline's targets unless --target is given). */
  compare?: string;
}

/** `clawbar probe`: the probe suite under the daemon's environment (or the shell's). */
export async function probeCommand(session: Session, args: ProbeArgs, out: Out): Promise<number> {
  if (!Number.isInteger(args.timeoutMs) || args.timeoutMs < 100 || args.timeoutMs > 120_000) throw new UsageError('--timeout must be between 100 and 120000 ms');
  const baselines = await import('../store/probe-baselines.ts');
  for (const name of [args.saveBaseline, args.compare]) if (name !== undefined) baselines.baselinePath(session.world.files.probeBaselines, name);
  if ((args.saveBaseline || args.compare) && args.shellEnv) throw new UsageError('baselines are of the daemon\'s world: leave out --shell-env');
  const against = args.compare ? await session.daemon.baseline(args.compare) : null;
  if (args.compare && !against) {
    const names = await session.daemon.baselineNames();
    throw new UsageError(`no baseline named '${args.compare}'${names.length ? ` (saved: ${names.join(', ')})` : ' (save one with --save-baseline NAME)'}`);
  }
  const service = await session.service(args.plist);
  // Like for like: without --target, a comparison probes exactly what the baseline probed.
  const exact = against && args.target.length === 0 ? askedTargets(against) : undefined;
  const report = await session.probe(service, {
    source: args.shellEnv ? 'shell' : 'daemon', targets: args.target, pins: args.resolve, dnsServers: args.dnsServer, timeoutMs: args.timeoutMs, exact,
    onResult: (result, done, total) => out.progress(`[${done}/${total}] ${result.ok ? 'ok  ' : (result.layer ?? 'fail').padEnd(4)} ${result.target}`),
  });
  const comparison = against ? await session.daemon.compare(report, against.name) : null;
  if (args.saveBaseline) {
    const asked = (await session.keeper.lastProbe())?.targets ?? [];
    await session.daemon.saveBaseline(args.saveBaseline, report, asked);
    out.progress(`saved baseline '${args.saveBaseline}'`);
  }
  const document = { ...report, ...(args.saveBaseline ? { baselineSaved: args.saveBaseline } : {}), ...(comparison ? { comparison } : {}) };
  out.print(args.json, document, () => formatProbe(report) + (comparison ? formatComparison(comparison) : ''));
  const overall = comparison?.regressions && report.overall === 'ok' ? 'warn' : report.overall;
  return exitFor(overall);
}

/** The comparison under the probe table: the verdict, then each regressed target's slower phases and changes. */
export function formatComparison(c: BaselineComparison): string {
  const lines = ['', `${heading('Baseline')}  ${c.regressions ? badge('warn') : badge('ok')}  '${c.name}' of ${c.savedAt}: ${c.regressions} regression(s)`, `  then: ${c.runtime.before}`, `  now:  ${c.runtime.after}`];
  for (const line of regressionLines(c)) lines.push(`  ${badge('warn')}  ${line}`);
  for (const t of c.targets.filter((x) => x.presence !== 'both')) lines.push(`  note  ${t.target}: ${t.presence === 'new' ? 'not in the baseline' : 'in the baseline, not probed'}`);
  return `${lines.join('\n')}\n`;
}

const PHASES: Array<[keyof ProbeResult['phases'], string]> = [['dnsMs', 'd'], ['connectMs', 'c'], ['proxyConnectMs', 'p'], ['tlsMs', 't'], ['ttfbMs', 'h']];

/** A one-line waterfall: each phase's share of the total, drawn with its letter. */
export function phaseBar(phases: ProbeResult['phases'], width = 24): string {
  const total = phases.totalMs || 1;
  let bar = '';
  for (const [key, letter] of PHASES) {
    const value = phases[key];
    if (value) bar += letter.repeat(Math.max(1, Math.round((value / total) * width)));
  }
  return bar.slice(0, width).padEnd(width, '·');
}

export function formatProbe(report: ProbeReport): string {
  const lines = [
    `${heading('Probes')}  ${badge(report.overall)}  ${report.summary.ok}/${report.summary.total} ok in ${report.summary.durationMs} ms`,
    `  world: ${report.environment.source === 'daemon' ? `the daemon (${report.environment.plistPath ?? 'no service found'})` : 'your shell'}; node ${report.runtime.nodeVersion} at ${report.runtime.execPath}`,
    ...(report.runtime.note ? [`  note: ${report.runtime.note}`] : []),
    '',
    ...table([
      ['', 'target', 'via', 'total', 'phases (d dns, c connect, p proxy, t tls, h http)'],
      ...report.results.map((r) => [r.ok ? 'ok' : (r.layer ?? 'fail'), r.target, r.via, `${Math.round(r.phases.totalMs)} ms`, phaseBar(r.phases)]),
    ], 60),
  ];
  const failed = report.results.filter((r) => !r.ok);
  for (const r of failed) {
    lines.push('', `  ${badge('critical')}  ${r.target}  [${r.layer}]`, `        ${r.error?.message ?? ''}`);
    if (r.tls) lines.push(`        tls: ${r.tls.protocol ?? '?'} ${r.tls.cipher ?? ''}; subject ${r.tls.subject ?? '?'}; issuer ${r.tls.issuer ?? '?'}; valid to ${r.tls.validTo ?? '?'}`);
    if (r.explanation) lines.push(`        ${r.explanation}`);
    lines.push(...fixLines(r).map((line) => `        ${line}`));
  }
  const other = report.findings.filter((f) => !f.id.startsWith('probe.') || f.severity !== 'critical');
  if (other.length > 0) lines.push('', heading('Findings'), ...formatFindings(other));
  return `${lines.join('\n')}\n`;
}
