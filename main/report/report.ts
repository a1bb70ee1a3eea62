import { DiagnosticsReport, sortBySeverity, worstSeverity, type EnvReport, type Finding, type FixBundleSummary, type LastProbeRun, type NodeFacts, type StatusReport } from '../contract.ts';
import { envView } from './env-report.ts';

export interface ReportInputs {
  /** The service's facts (raw; the report shows variables as `clawbar env` does). */
  service: EnvReport;
  status: StatusReport;
  lastProbe: LastProbeRun | null;
  fixHistory: FixBundleSummary[];
  node: NodeFacts;
  /** Changes since last week's listener snapshot, when one is a week old. */
  listenerWeekly?: DiagnosticsReport['listenerWeekly'];
  now?: Date;
}

/** Findings from the glance and the last probe run, once each, worst first (the report and the metrics count the same list). */
export function mergeFindings(...lists: Finding[][]): Finding[] {
  const seen = new Set<string>();
  const merged: Finding[] = [];
  for (const finding of lists.flat()) {
    const key = `${finding.id}|${finding.title}`;
    if (seen.has(key) || finding.severity === 'ok') continue;
    seen.add(key);
    merged.push(finding);
  }
  return sortBySeverity(merged);
}

/**
 * Assembles the diagnostics report from what the engine already produced.
 * Whoever lets it out (stdout, a file, the clipboard) redacts it with the
 * world's redactor, which holds every secret value read.
 */
export function buildDiagnosticsReport(inputs: ReportInputs): DiagnosticsReport {
  const { status, lastProbe } = inputs;
  const env = envView(inputs.service);
  const findings = mergeFindings(status.findings, lastProbe?.report.findings ?? []);
  return DiagnosticsReport.parse({
    schema: 'clawbar.report/1',
    generatedAt: (inputs.now ?? new Date()).toISOString(),
    overall: worstSeverity(findings),
    node: inputs.node,
    service: env.service,
    launchd: env.launchd,
    gatewayConfig: env.gateway,
    environment: { variables: env.environment.variables, redactedKeys: env.environment.redactedKeys, shellDiff: env.shellDiff },
    gateway: status.gateway,
    listeners: status.listeners,
    listenerWeekly: inputs.listenerWeekly ?? null,
    clock: status.clock,
    edges: status.edges ?? null,
    verdict: status.verdict ?? null,
    lastProbe: lastProbe?.report ?? null,
    findings,
    fixHistory: inputs.fixHistory,
  } satisfies DiagnosticsReport);
}
