import { z } from 'zod';
import { Finding, Severity } from './common.ts';
import { EnvVariable, GatewayInfo, LaunchdInfo, ServiceInfo, ShellDifference } from './env.ts';
import { FixBundleSummary } from './fix.ts';
import { DownVerdict, EdgesReport } from './edges.ts';
import { ClockReport, HealthReport, ListenerChange, ListenersReport } from './glance.ts';
import { Layer, ProbeReport, ProbeTarget } from './probe.ts';
import { AllowlistObserved, BaselineComparison, GatewayLogErrors } from './daemon-world.ts';

/** What is kept between runs and the documents built from it: last probe run, diagnostics report, allowlist export. */

/**
 * What the probe suite leaves in `<stateDir>/last-probe.json`: the redacted
 * report and the targets as they were asked (pins, expected SNI), so the
 * diagnostics report, the metrics and the firewall-ticket export can show the
 * last run and rebuild its probe commands without probing again.
 */
export const LastProbeRun = z.object({
  schema: z.literal('clawbar.last-probe/1'),
  savedAt: z.string(),
  targets: z.array(ProbeTarget),
  report: ProbeReport,
});
export type LastProbeRun = z.infer<typeof LastProbeRun>;

/** The machine a report comes from, as a ticket needs it. */
export const NodeFacts = z.object({
  hostname: z.string(),
  platform: z.string(),
  /** "macOS" from sw_vers, else the OS's own pretty name. */
  osName: z.string(),
  osVersion: z.string().nullable(),
  osBuild: z.string().nullable(),
  kernel: z.string(),
  arch: z.string(),
  uptimeSec: z.number(),
  timezone: z.string(),
  user: z.string().nullable(),
  clawbarVersion: z.string(),
  nodeVersion: z.string(),
});
export type NodeFacts = z.infer<typeof NodeFacts>;

/** `clawbar report --json`: everything a ticket needs, redacted; the Markdown shows the same content. */
export const DiagnosticsReport = z.object({
  schema: z.literal('clawbar.report/1'),
  generatedAt: z.string(),
  overall: Severity,
  node: NodeFacts,
  service: ServiceInfo.nullable(),
  launchd: LaunchdInfo,
  gatewayConfig: GatewayInfo,
  environment: z.object({ variables: z.array(EnvVariable), redactedKeys: z.array(z.string()), shellDiff: z.array(ShellDifference) }),
  gateway: HealthReport,
  listeners: ListenersReport,
  /** Listener changes since last week's dated snapshot (the runbook's weekly lsof diff); null while no snapshot is a week old. */
  listenerWeekly: z.object({ savedAt: z.string(), changes: z.array(ListenerChange) }).nullable().optional(),
  clock: ClockReport,
  /** Every way into the gateway, from the same status look. */
  edges: EdgesReport.nullable().optional(),
  /** Why the gateway is down, when it is. */
  verdict: DownVerdict.nullable().optional(),
  /** null when no probe has run on this node yet. */
  lastProbe: ProbeReport.nullable(),
  findings: z.array(Finding),
  fixHistory: z.array(FixBundleSummary),
  /** The last probe run against the newest saved baseline; null when none is saved. */
  baseline: BaselineComparison.nullable().optional(),
  /** Errors counted from the gateway's own logs. */
  gatewayLog: GatewayLogErrors.nullable().optional(),
});
export type DiagnosticsReport = z.infer<typeof DiagnosticsReport>;

/** One firewall-ticket row: the seeds' standard allowlist row, the command to rerun its probe and the last result. */
export const AllowlistExportRow = z.object({
  host: z.string(),
  port: z.number(),
  tls: z.boolean(),
  sni: z.string(),
  owner: z.string().nullable(),
  rotationContact: z.string().nullable(),
  /** null for a host the gateway's config implies that nobody has classified yet. */
  pii: z.boolean().nullable(),
  purpose: z.string().nullable(),
  source: z.enum(['allowlist', 'config']),
  url: z.string(),
  command: z.string(),
  lastResult: z.object({
    at: z.string(),
    ok: z.boolean(),
    layer: Layer.nullable(),
    errorCode: z.string().nullable(),
    status: z.number().nullable(),
    via: z.enum(['direct', 'proxy']),
    totalMs: z.number(),
  }).nullable(),
});
export type AllowlistExportRow = z.infer<typeof AllowlistExportRow>;

export const AllowlistExport = z.object({
  schema: z.literal('clawbar.allowlist/1'),
  generatedAt: z.string(),
  lastProbeAt: z.string().nullable(),
  rows: z.array(AllowlistExportRow),
  notes: z.array(z.string()),
  /** The rows against the observed connections (`clawbar egress observe`); null before any observation. */
  observed: AllowlistObserved.nullable().optional(),
});
export type AllowlistExport = z.infer<typeof AllowlistExport>;
