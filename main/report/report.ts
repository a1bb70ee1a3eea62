import { DiagnosticsReport, sortBySeverity, worstSeverity, type Finding, type FixBundleSummary, type LastProbeRun, type NodeFacts, type StatusReport } from '../contract.ts';
import { takeStatus } from '../glance/status.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import type { Settings } from '../settings.ts';
import type { Executor } from '../system/exec.ts';
import { loadLastProbe } from './last-probe.ts';
import { nodeFacts } from './node-facts.ts';

export interface ReportInputs {
  service: ServiceEnvironment;
  status: StatusReport;
  lastProbe: LastProbeRun | null;
  fixHistory: FixBundleSummary[];
  node: NodeFacts;
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
 * Assembles the diagnostics report from what the engine already produced and
 * scrubs it once more with the service's redactor (it holds every secret value
 * read), so nothing that reached an error message or a fix summary leaks.
 */
export function buildDiagnosticsReport(inputs: ReportInputs): DiagnosticsReport {
  const { service, status, lastProbe } = inputs;
  const env = service.report;
  const findings = mergeFindings(status.findings, lastProbe?.report.findings ?? []);
  return DiagnosticsReport.parse(service.redactor.deep({
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
    clock: status.clock,
    lastProbe: lastProbe?.report ?? null,
    findings,
    fixHistory: inputs.fixHistory,
  } satisfies DiagnosticsReport));
}

export interface CollectOptions {
  service: ServiceEnvironment;
  settings: Settings;
  /** Lists the fix bundles (the fixes module's history); passed in so the report reads them the one way `fix history` does. */
  fixHistory: () => Promise<FixBundleSummary[]>;
  lastProbePath: string;
  exec?: Executor;
  home?: string;
}

/** Takes a fresh glance and gathers the saved probe run, fix history and node facts into one report. */
export async function collectDiagnostics(options: CollectOptions): Promise<DiagnosticsReport> {
  const [status, lastProbe, fixHistory, node] = await Promise.all([
    takeStatus({ service: options.service, settings: options.settings, exec: options.exec, home: options.home, observer: 'report' }),
    loadLastProbe(options.lastProbePath),
    options.fixHistory(),
    nodeFacts(options.exec),
  ]);
  return buildDiagnosticsReport({ service: options.service, status, lastProbe, fixHistory, node });
}
