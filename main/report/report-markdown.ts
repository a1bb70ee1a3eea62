import type { DiagnosticsReport, Finding, ProbeReport, ProbeResult, Remedy } from '../contract.ts';
import { verdictSection, edgesSection } from './edges-markdown.ts';
import { code, duration, mdTable, ms } from './markdown.ts';
import { baselineSection, gatewayLogSection } from './daemon-world-markdown.ts';

const MARK = { ok: 'OK', warn: 'WARN', critical: 'CRITICAL', unknown: 'UNKNOWN' } as const;

/** One cell of TLS facts: what a network team asks first (protocol, issuer, expiry, and why verification failed). */
export function tlsSummary(r: ProbeResult): string {
  if (!r.tls) return '';
  const t = r.tls;
  const parts = [t.protocol ?? '?', t.issuer ? `issuer ${t.issuer}` : null, t.daysToExpiry !== null ? `expires in ${t.daysToExpiry} d` : null,
    t.authorized ? 'verified' : `not verified${t.authorizationError ? `: ${t.authorizationError}` : ''}`];
  return parts.filter(Boolean).join(', ');
}

/** The fix in words and the remedy's command, the words left out when they are only the command (as the CLI and the popover do). */
function fixParts(item: { fix: string | null; remedy?: Remedy | null }): string[] {
  const command = item.remedy?.command ?? null;
  return [...(item.fix && item.fix !== command ? [`Fix: ${code(item.fix)}`] : []), ...(command ? [`Run: ${code(command)}`] : [])];
}

function probeSection(probe: ProbeReport | null): string[] {
  if (!probe) return ['No probe run is recorded on this node yet: run `clawbar probe`, then make the report again.'];
  const world = probe.environment.source === 'daemon' ? `the daemon's environment (${probe.environment.plistPath ?? 'no service found'})` : "the operator's shell";
  const lines = [
    `Run ${code(probe.traceId)} at ${probe.startedAt}, under ${world}, node ${probe.runtime.nodeVersion} at ${code(probe.runtime.execPath)}: **${probe.summary.ok}/${probe.summary.total} ok** in ${probe.summary.durationMs} ms.`,
    ...(probe.runtime.note ? ['', `Note: ${probe.runtime.note}`] : []),
    '',
    ...mdTable(['target', 'result', 'via', 'dns ms', 'connect ms', 'proxy ms', 'tls ms', 'ttfb ms', 'total ms', 'TLS'], probe.results.map((r) => [
      r.name ? `${r.name} (${r.target})` : r.target,
      r.ok ? `ok${r.http ? ` ${r.http.status}` : ''}` : `**${r.layer}** ${r.error?.code ?? ''}`,
      r.via, ms(r.phases.dnsMs), ms(r.phases.connectMs), ms(r.phases.proxyConnectMs), ms(r.phases.tlsMs), ms(r.phases.ttfbMs), ms(r.phases.totalMs), tlsSummary(r),
    ])),
  ];
  for (const r of probe.results.filter((x) => !x.ok)) {
    lines.push('', `- **${r.target}** failed in layer **${r.layer}**: ${r.error?.message ?? 'failed'}.${r.explanation ? ` ${r.explanation}` : ''}${fixParts(r).map((part) => ` ${part}`).join('')}`);
  }
  return lines;
}

function findingLines(findings: Finding[]): string[] {
  if (findings.length === 0) return ['Nothing to report.'];
  return findings.map((f) => `- **${MARK[f.severity]}** ${f.title}${f.detail ? ` — ${f.detail}` : ''}${fixParts(f).map((part) => `\n  ${part}`).join('')}`);
}

/** The diagnostics report as Markdown for a ticket: the same content as the JSON, in reading order. */
export function reportMarkdown(report: DiagnosticsReport): string {
  const { node, service, launchd, gatewayConfig: gw, gateway, listeners, clock } = report;
  const out: string[] = [
    `# clawbar diagnostics report: ${node.hostname}`,
    '',
    `Generated ${report.generatedAt} by clawbar ${node.clawbarVersion}. Overall: **${MARK[report.overall]}**. Secrets (tokens, API keys, proxy passwords) are shown as \`[redacted]\`.`,
    '', '## Node', '',
    ...mdTable(['', ''], [
      ['hostname', node.hostname],
      ['OS', `${node.osName}${node.osVersion ? ` ${node.osVersion}` : ''}${node.osBuild ? ` (${node.osBuild})` : ''}; ${node.kernel}; ${node.arch}`],
      ['uptime', duration(node.uptimeSec)],
      ['time zone', node.timezone],
      ['user', node.user],
      ['clawbar / node', `${node.clawbarVersion} / ${node.nodeVersion}`],
    ]),
    '', '## Gateway service', '',
  ];
  const launchdState = launchd.status === 'loaded'
    ? `${launchd.target}: ${launchd.running ? `running, pid ${launchd.pid}` : 'not running'}${launchd.lastExitCode !== null ? `, last exit ${launchd.lastExitCode}` : ''}`
    : `${launchd.status}${launchd.message ? `: ${launchd.message}` : ''}`;
  out.push(...(service ? mdTable(['', ''], [
    ['plist', `${service.plistPath} (${service.format}, ${service.scope})`],
    ['label', service.label],
    ['layout', service.layout === 'env-wrapper' ? `env wrapper ${service.wrapperPath} with env file ${service.envFilePath ?? '(none)'}` : 'inline EnvironmentVariables'],
    ['node binary', `${service.nodePath ?? '(none)'}${service.nodeExists ? '' : ' (missing)'}`],
    ['user / working directory', `${service.userName ?? '?'} / ${service.workingDirectory}`],
    ['launchd', launchdState],
    ['drift', launchd.drift.length ? launchd.drift.map((d) => `${d.what}: ${d.detail}`).join('; ') : 'none'],
    ['gateway', `port ${gw.port} (${gw.portSource}), bind ${gw.bind}, auth ${gw.authMode}, config ${gw.configPath}${gw.configFound ? '' : ' (not found)'}`],
    ['proxy', gw.proxyUrl],
  ]) : ['No gateway service was found.']));
  const env = report.environment;
  out.push('', `## Effective environment (${env.variables.length} variables, ${env.redactedKeys.length} redacted)`, '',
    ...mdTable(['name', 'value', 'source'], env.variables.map((v) => [v.name, v.value, `${v.source}${v.overrides.length ? ` (over ${v.overrides.join(', ')})` : ''}`])));
  if (env.shellDiff.length) out.push('', 'Differs from the shell that ran clawbar:', '', ...mdTable(['name', 'shell', 'daemon'], env.shellDiff.map((d) => [d.name, d.shell ?? '(unset)', d.daemon ?? '(unset)'])));
  out.push('', '## Gateway health', '', ...mdTable(['', ''], [
    ['state', `**${gateway.state}** at ${gateway.url}`],
    ['latency / p95', gateway.latencyMs === null ? '—' : `${ms(gateway.latencyMs)} ms / ${ms(gateway.p95Ms)} ms`],
    ['version, uptime', `${gateway.version ?? '?'}, ${gateway.uptimeMs !== null ? duration(gateway.uptimeMs / 1000) : '?'}`],
    ['not ready', gateway.failing.join(', ')],
    ['error', gateway.error],
  ]));
  out.push(...verdictSection(report.verdict));
  out.push('', '## Last probe run', '', ...probeSection(report.lastProbe));
  out.push('', '## Against the probe baseline', '', ...baselineSection(report.baseline));
  out.push('', "## Errors in the gateway's own logs", '', ...gatewayLogSection(report.gatewayLog));
  out.push('', `## Listeners (${listeners.items.length}, state ${listeners.state})`, '');
  if (listeners.partial) out.push(`Note: ${listeners.partial}`, '');
  out.push(...(listeners.items.length === 0 ? ['No TCP listeners seen.'] : mdTable(['exposure', 'address', 'port', 'process', 'pid', 'severity'], listeners.items.map((l) => [`${l.exposure}${l.network ? ` (${l.network})` : ''}`, l.address, l.port, l.process, l.pid, `${l.severity}${l.note ? `: ${l.note}` : ''}`]))));
  out.push('', listeners.baseline.savedAt ? `Changes since the baseline of ${listeners.baseline.savedAt}: ${listeners.baseline.changes.length || 'none'}.` : 'No listener baseline saved (`clawbar listeners --save-baseline`).');
  const change = (c: DiagnosticsReport['listeners']['baseline']['changes'][number]) => `- ${c.change} ${c.process} ${c.address}:${c.port}${c.previousAddress ? ` (was ${c.previousAddress})` : ''}${c.ageHours !== null ? `, for ${c.ageHours} h` : ''}`;
  for (const c of listeners.baseline.changes) out.push(change(c));
  const weekly = report.listenerWeekly;
  out.push('', weekly ? `Changes since last week's snapshot of ${weekly.savedAt}: ${weekly.changes.length || 'none'}.` : 'No weekly listener snapshot is a week old yet (they are kept in the state folder as the checks run).');
  for (const c of weekly?.changes ?? []) out.push(change(c));
  out.push(...edgesSection(report.edges));
  out.push('', '## Clock', '', clock.offsetMs === null
    ? `Offset unknown (state ${clock.state}).${clock.sntpError ? ` ${clock.sntpError}.` : ''}`
    : `Offset ${clock.offsetMs} ms against ${clock.server} (${clock.method}), state **${clock.state}**.${clock.breaks.some((b) => b.broken) ? ` Breaks: ${clock.breaks.filter((b) => b.broken).map((b) => b.what).join(', ')}.` : ''}`);
  out.push('', `## Findings (${report.findings.length})`, '', ...findingLines(report.findings));
  out.push('', '## Fix history', '', ...(report.fixHistory.length === 0 ? ['No fixes applied by clawbar on this node.'] : mdTable(['id', 'kind', 'state', 'created', 'summary'], report.fixHistory.map((b) => [b.id, b.kind, b.state, b.createdAt, b.summary]))));
  return `${out.join('\n')}\n`;
}
