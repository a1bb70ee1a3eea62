import { z } from 'zod';

/**
 * Schemas of everything that crosses a process boundary (CLI --json output,
 * probe child ↔ runner, IPC). Types are inferred from them so the two never
 * disagree.
 */

export const Severity = z.enum(['ok', 'warn', 'critical']);
export type Severity = z.infer<typeof Severity>;

export const Finding = z.object({
  id: z.string(),
  severity: Severity,
  title: z.string(),
  detail: z.string().optional(),
  fix: z.string().nullable(),
});
export type Finding = z.infer<typeof Finding>;

export const VariableSource = z.enum(['launchd', 'inline', 'file', 'shell', 'dotenv']);
export type VariableSource = z.infer<typeof VariableSource>;

export const EnvVariable = z.object({
  name: z.string(),
  value: z.string(),
  source: VariableSource,
  /** Earlier sources that also set this variable and lost. */
  overrides: z.array(VariableSource),
  redacted: z.boolean(),
});
export type EnvVariable = z.infer<typeof EnvVariable>;

export const Candidate = z.object({
  path: z.string(),
  scope: z.enum(['user-agent', 'global-agent', 'daemon']),
  label: z.string().nullable(),
  score: z.number(),
  reasons: z.array(z.string()),
  error: z.string().nullable(),
});

export const ServiceInfo = z.object({
  plistPath: z.string(),
  label: z.string().nullable(),
  scope: z.enum(['user-agent', 'global-agent', 'daemon']),
  domainTarget: z.string().nullable(),
  format: z.enum(['xml', 'binary']),
  layout: z.enum(['env-wrapper', 'inline']),
  wrapperPath: z.string().nullable(),
  envFilePath: z.string().nullable(),
  userName: z.string().nullable(),
  workingDirectory: z.string(),
  command: z.array(z.string()),
  nodePath: z.string().nullable(),
  nodeExists: z.boolean(),
  keepAlive: z.boolean().nullable(),
  runAtLoad: z.boolean().nullable(),
  stdoutPath: z.string().nullable(),
  stderrPath: z.string().nullable(),
  discovery: z.object({ chosenBecause: z.array(z.string()), candidates: z.array(Candidate) }),
});

export const GatewayInfo = z.object({
  configPath: z.string(),
  configReason: z.string(),
  configFound: z.boolean(),
  profile: z.string().nullable(),
  port: z.number(),
  portSource: z.enum(['argument', 'environment', 'config', 'default']),
  bind: z.string(),
  customBindHost: z.string().nullable(),
  authMode: z.string(),
  trustedProxies: z.array(z.string()),
  proxyUrl: z.string().nullable(),
  healthUrl: z.string(),
  readyUrl: z.string(),
  wsUrl: z.string(),
});

export const LaunchdInfo = z.object({
  status: z.enum(['loaded', 'not-loaded', 'unavailable', 'error']),
  target: z.string().nullable(),
  message: z.string().nullable(),
  running: z.boolean().nullable(),
  pid: z.number().nullable(),
  lastExitCode: z.number().nullable(),
  lastSignal: z.string().nullable(),
  drift: z.array(z.object({ what: z.string(), detail: z.string() })),
});

export const ShellDifference = z.object({
  name: z.string(),
  kind: z.enum(['proxy', 'ca', 'path', 'node']),
  shell: z.string().nullable(),
  daemon: z.string().nullable(),
});
export type ShellDifference = z.infer<typeof ShellDifference>;
export type GatewayInfo = z.infer<typeof GatewayInfo>;
export type ServiceInfo = z.infer<typeof ServiceInfo>;
export type LaunchdInfo = z.infer<typeof LaunchdInfo>;

export const EnvReport = z.object({
  schema: z.literal('clawbar.env/1'),
  overall: Severity,
  service: ServiceInfo.nullable(),
  environment: z.object({
    variables: z.array(EnvVariable),
    redactedKeys: z.array(z.string()),
  }),
  gateway: GatewayInfo,
  launchd: LaunchdInfo,
  shellDiff: z.array(ShellDifference),
  findings: z.array(Finding),
});
export type EnvReport = z.infer<typeof EnvReport>;

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warn: 1, ok: 2 };

/** Worst first, keeping the given order within a severity. */
export function sortBySeverity<T extends { severity: Severity }>(items: T[]): T[] {
  return items.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
}

/** The worst severity among findings: what the exit code and the tray colour show. */
export function worstSeverity(items: Array<{ severity: Severity }>): Severity {
  if (items.some((item) => item.severity === 'critical')) return 'critical';
  if (items.some((item) => item.severity === 'warn')) return 'warn';
  return 'ok';
}

export const Layer = z.enum(['dns', 'route', 'refused', 'timeout', 'proxy', 'proxy-auth', 'tls-trust', 'tls-name', 'tls-clock', 'tls-protocol', 'http', 'waf', 'rate-limit', 'websocket']);
export type Layer = z.infer<typeof Layer>;

export const TargetKind = z.enum(['gateway-health', 'gateway-ready', 'gateway-ws', 'provider', 'openclaw', 'allowlist', 'custom']);

export const Phases = z.object({
  dnsMs: z.number().nullable(),
  connectMs: z.number().nullable(),
  proxyConnectMs: z.number().nullable(),
  tlsMs: z.number().nullable(),
  ttfbMs: z.number().nullable(),
  totalMs: z.number(),
});
export type Phases = z.infer<typeof Phases>;

export const TlsDetails = z.object({
  protocol: z.string().nullable(),
  cipher: z.string().nullable(),
  subject: z.string().nullable(),
  issuer: z.string().nullable(),
  san: z.array(z.string()),
  validFrom: z.string().nullable(),
  validTo: z.string().nullable(),
  daysToExpiry: z.number().nullable(),
  authorized: z.boolean(),
  authorizationError: z.string().nullable(),
  servername: z.string().nullable(),
});
export type TlsDetails = z.infer<typeof TlsDetails>;

export const DnsAnswer = z.object({
  server: z.string(),
  a: z.array(z.string()),
  aaaa: z.array(z.string()),
  rcode: z.enum(['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED', 'TIMEOUT', 'NODATA', 'ERROR']),
  ms: z.number(),
});

export const FamilyAttempt = z.object({
  family: z.union([z.literal(4), z.literal(6)]),
  address: z.string(),
  ok: z.boolean(),
  ms: z.number().nullable(),
  error: z.string().nullable(),
});

export const ProbeResult = z.object({
  target: z.string(),
  name: z.string().nullable(),
  kind: TargetKind,
  ok: z.boolean(),
  layer: Layer.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  phases: Phases,
  via: z.enum(['direct', 'proxy']),
  route: z.object({ proxy: z.string().nullable(), rule: z.string() }),
  family: z.union([z.literal(4), z.literal(6)]).nullable(),
  address: z.string().nullable(),
  dns: z.object({ system: z.array(z.string()), resolvers: z.array(DnsAnswer), disagreement: z.string().nullable() }).nullable(),
  families: z.array(FamilyAttempt),
  proxyStatus: z.number().nullable(),
  tls: TlsDetails.nullable(),
  http: z.object({ status: z.number(), date: z.string().nullable(), server: z.string().nullable() }).nullable(),
  websocket: z.object({ status: z.number().nullable(), upgraded: z.boolean() }).nullable(),
  ready: z.object({ ready: z.boolean(), failing: z.array(z.string()) }).nullable(),
  explanation: z.string().nullable(),
  fix: z.string().nullable(),
  notes: z.array(z.string()),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

export const ProbeTarget = z.object({
  url: z.string(),
  kind: TargetKind,
  name: z.string().nullable(),
  /** Expected TLS server name when it differs from the URL host. */
  sni: z.string().nullable(),
  /** Pinned address (curl --resolve). */
  pin: z.string().nullable(),
});
export type ProbeTarget = z.infer<typeof ProbeTarget>;

/** What the runner sends the probe child on stdin. */
export const ChildRequest = z.object({
  targets: z.array(ProbeTarget),
  dnsServers: z.array(z.string()),
  /** Per target host: the system's resolvers (macOS `scutil --dns`), queried directly for comparison. */
  compareResolvers: z.record(z.string(), z.array(z.string())),
  timeoutMs: z.number().int().positive(),
  managedProxy: z.object({ url: z.string(), loopbackMode: z.enum(['gateway-only', 'proxy', 'block']) }).nullable(),
});
export type ChildRequest = z.infer<typeof ChildRequest>;

/** One newline-delimited JSON message from the probe child. */
export const ChildMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), execPath: z.string(), nodeVersion: z.string(), openssl: z.string() }),
  z.object({ type: z.literal('progress'), target: z.string(), phase: z.string() }),
  z.object({ type: z.literal('result'), result: ProbeResult }),
  z.object({ type: z.literal('done') }),
]);
export type ChildMessage = z.infer<typeof ChildMessage>;

export const ProbeReport = z.object({
  schema: z.literal('clawbar.probe/1'),
  traceId: z.string(),
  startedAt: z.string(),
  overall: Severity,
  environment: z.object({ source: z.enum(['daemon', 'shell']), plistPath: z.string().nullable() }),
  runtime: z.object({ execPath: z.string(), nodeVersion: z.string(), openssl: z.string(), daemonNode: z.string().nullable(), note: z.string().nullable() }),
  results: z.array(ProbeResult),
  summary: z.object({ total: z.number(), ok: z.number(), failed: z.number(), byLayer: z.record(z.string(), z.number()), durationMs: z.number() }),
  findings: z.array(Finding),
});
export type ProbeReport = z.infer<typeof ProbeReport>;

export const ClockBreakage = z.object({
  /** What breaks: OpenClaw device auth, JWT, Kerberos, TLS validity. */
  what: z.string(),
  limitMs: z.number(),
  broken: z.boolean(),
});

export const ClockReport = z.object({
  state: z.enum(['ok', 'warn', 'critical', 'unknown']),
  offsetMs: z.number().nullable(),
  roundTripMs: z.number().nullable(),
  stratum: z.number().nullable(),
  server: z.string().nullable(),
  method: z.enum(['sntp', 'http-date']).nullable(),
  samples: z.number(),
  /** Why SNTP gave no answer (e.g. UDP 123 blocked), when the Date fallback was used or nothing worked. */
  sntpError: z.string().nullable(),
  breaks: z.array(ClockBreakage),
  findings: z.array(Finding),
});
export type ClockReport = z.infer<typeof ClockReport>;

export const Exposure = z.enum(['loopback', 'specific', 'wildcard']);

export const Listener = z.object({
  address: z.string(),
  port: z.number(),
  family: z.union([z.literal(4), z.literal(6)]).nullable(),
  process: z.string(),
  pid: z.number(),
  user: z.string().nullable(),
  exposure: Exposure,
  /** For a specific address: lan, tailnet, link-local or public. */
  network: z.string().nullable(),
  severity: Severity,
  note: z.string().nullable(),
});
export type Listener = z.infer<typeof Listener>;

export const ListenerChange = z.object({
  change: z.enum(['new', 'gone', 'rebound']),
  key: z.string(),
  port: z.number(),
  process: z.string(),
  address: z.string(),
  previousAddress: z.string().nullable(),
  firstSeen: z.string().nullable(),
  ageHours: z.number().nullable(),
});

export const ListenersReport = z.object({
  state: Severity,
  items: z.array(Listener),
  source: z.enum(['lsof', 'unavailable']),
  partial: z.string().nullable(),
  firewall: z.object({ state: z.enum(['enabled', 'disabled', 'unknown']), detail: z.string().nullable() }),
  baseline: z.object({ path: z.string(), savedAt: z.string().nullable(), changes: z.array(ListenerChange) }),
  findings: z.array(Finding),
});
export type ListenersReport = z.infer<typeof ListenersReport>;

export const HealthReport = z.object({
  state: z.enum(['ok', 'degraded', 'down', 'unknown']),
  url: z.string(),
  latencyMs: z.number().nullable(),
  p95Ms: z.number().nullable(),
  failing: z.array(z.string()),
  status: z.number().nullable(),
  error: z.string().nullable(),
  version: z.string().nullable(),
  uptimeMs: z.number().nullable(),
  consecutiveFailures: z.number(),
});
export type HealthReport = z.infer<typeof HealthReport>;

export const StatusReport = z.object({
  schema: z.literal('clawbar.status/1'),
  overall: Severity,
  gateway: HealthReport,
  listeners: ListenersReport,
  clock: ClockReport,
  findings: z.array(Finding),
});
export type StatusReport = z.infer<typeof StatusReport>;

export const FixKind = z.enum(['ca', 'proxy', 'bind', 'clock']);
export type FixKind = z.infer<typeof FixKind>;

/** The transaction's steps, in order; `rollback` replaces write/restart when undoing. */
export const FixStepName = z.enum(['plan', 'preview', 'preflight', 'backup', 'write', 'restart', 'verify', 'rollback', 'report']);
export type FixStepName = z.infer<typeof FixStepName>;

/** One progress event (CLI stderr, app IPC stream) and one audit-log line. */
export const FixStep = z.object({
  step: FixStepName,
  status: z.enum(['running', 'ok', 'failed', 'skipped']),
  detail: z.string(),
  at: z.string(),
});
export type FixStep = z.infer<typeof FixStep>;

export const FileRole = z.enum(['env-file', 'plist', 'ca-bundle', 'config']);

/** A file the fix writes, with its unified diff (secrets redacted). */
export const FileChange = z.object({
  path: z.string(),
  role: FileRole,
  existed: z.boolean(),
  modeBefore: z.number().nullable(),
  modeAfter: z.number(),
  sha256Before: z.string().nullable(),
  sha256After: z.string(),
  diff: z.string(),
});
export type FileChange = z.infer<typeof FileChange>;

/** Probe outcome per target, compact enough to compare before/after. */
export const ProbeSummary = z.object({
  ok: z.number(),
  failed: z.number(),
  targets: z.array(z.object({ target: z.string(), ok: z.boolean(), layer: Layer.nullable() })),
});
export type ProbeSummary = z.infer<typeof ProbeSummary>;

export const FixPlan = z.object({
  kind: FixKind,
  /** Hash of the files as they are now and as they will be: `--apply --plan ID` refuses if it changed. */
  planId: z.string(),
  title: z.string(),
  /** Plain-words explanation shown above the diff (e.g. gateway-only bundle vs System keychain). */
  explanation: z.array(z.string()),
  files: z.array(FileChange),
  /** Commands that will run, in order, as the operator would type them. */
  commands: z.array(z.string()),
  needsAdmin: z.boolean(),
  notes: z.array(z.string()),
});
export type FixPlan = z.infer<typeof FixPlan>;

export const FixOutcome = z.object({
  schema: z.literal('clawbar.fix/1'),
  kind: FixKind,
  mode: z.enum(['dry-run', 'apply', 'rollback']),
  ok: z.boolean(),
  summary: z.string(),
  plan: FixPlan.nullable(),
  preflight: z.object({ before: ProbeSummary, after: ProbeSummary, worse: z.boolean(), verdict: z.string() }).nullable(),
  bundleId: z.string().nullable(),
  verify: z.object({ ok: z.boolean(), detail: z.string(), probes: ProbeSummary.nullable() }).nullable(),
  steps: z.array(FixStep),
  findings: z.array(Finding),
});
export type FixOutcome = z.infer<typeof FixOutcome>;

/** A rollback bundle as `fix history` lists it. */
export const FixBundleSummary = z.object({
  id: z.string(),
  kind: FixKind,
  createdAt: z.string(),
  state: z.enum(['prepared', 'applied', 'verified', 'failed', 'rolled-back']),
  plistPath: z.string().nullable(),
  files: z.array(z.object({ path: z.string(), role: FileRole, existed: z.boolean() })),
  summary: z.string(),
});
export type FixBundleSummary = z.infer<typeof FixBundleSummary>;

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
  clock: ClockReport,
  /** null when no probe has run on this node yet. */
  lastProbe: ProbeReport.nullable(),
  findings: z.array(Finding),
  fixHistory: z.array(FixBundleSummary),
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
});
export type AllowlistExport = z.infer<typeof AllowlistExport>;
