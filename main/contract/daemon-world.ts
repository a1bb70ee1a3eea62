import { z } from 'zod';
import { Finding, Severity } from './common.ts';
import { Layer, Phases } from './probe.ts';

/**
 * The daemon's world as a tool: where the gateway really connects (egress
 * observations), probe baselines and their comparison, and the error counts
 * read from the gateway's own logs.
 */

/** How a remote address got its name: a host of the allowlist or the config resolved to it, the proxy, a reverse lookup, or nothing. */
export const Attribution = z.enum(['allowlist', 'config', 'proxy', 'reverse', 'unknown']);
export type Attribution = z.infer<typeof Attribution>;

/** One destination (remote address and port) the gateway's process tree was seen connected to. */
export const EgressDestination = z.object({
  address: z.string(),
  port: z.number(),
  /** Every allowlist or config host that resolves to this address (as the daemon resolves), else the reverse name. */
  names: z.array(z.string()),
  attribution: Attribution,
  /** Connections seen (one socket seen in consecutive samples counts once). */
  connections: z.number(),
  /** Samples in which at least one connection to it was established. */
  samples: z.number(),
  firstSeen: z.string(),
  lastSeen: z.string(),
});
export type EgressDestination = z.infer<typeof EgressDestination>;

/** What the store keeps across observations (the watcher's and `clawbar egress observe`'s). */
export const EgressObservations = z.object({
  schema: z.literal('clawbar.egress/1'),
  /** Start of the window the counts cover (oldest kept sample). */
  since: z.string().nullable(),
  until: z.string().nullable(),
  samples: z.number(),
  destinations: z.array(EgressDestination),
});
export type EgressObservations = z.infer<typeof EgressObservations>;

/** `clawbar egress observe --json`. */
export const EgressReport = z.object({
  schema: z.literal('clawbar.egress-observe/1'),
  overall: Severity,
  startedAt: z.string(),
  durationMs: z.number(),
  intervalMs: z.number(),
  samples: z.number(),
  /** The gateway's process tree as last sampled. */
  pids: z.array(z.number()),
  /** This observation alone, then everything kept in the window. */
  observed: z.array(EgressDestination),
  kept: EgressObservations,
  findings: z.array(Finding),
});
export type EgressReport = z.infer<typeof EgressReport>;

/** One row of the allowlist compared with what was seen. */
export const AllowlistSeenRow = z.object({
  host: z.string(),
  port: z.number(),
  addresses: z.array(z.string()),
  connections: z.number(),
  lastSeen: z.string().nullable(),
  /** Rows the daemon reaches through a proxy: their sockets go to the proxy, so "never seen" says nothing. */
  viaProxy: z.boolean(),
});

/** `report --allowlist`: the firewall ticket's rows against the observed traffic. */
export const AllowlistObserved = z.object({
  since: z.string().nullable(),
  until: z.string().nullable(),
  allowlistedSeen: z.array(AllowlistSeenRow),
  allowlistedNeverSeen: z.array(AllowlistSeenRow),
  seenNotAllowlisted: z.array(EgressDestination),
});
export type AllowlistObserved = z.infer<typeof AllowlistObserved>;

/** What a baseline keeps of one probe: timings, TLS facts and route, nothing else. */
export const BaselineTarget = z.object({
  target: z.string(),
  ok: z.boolean(),
  layer: Layer.nullable(),
  phases: Phases,
  tls: z.object({ protocol: z.string().nullable(), cipher: z.string().nullable(), issuer: z.string().nullable() }).nullable(),
  route: z.object({ via: z.enum(['direct', 'proxy']), proxy: z.string().nullable(), family: z.union([z.literal(4), z.literal(6)]).nullable(), address: z.string().nullable() }),
});
export type BaselineTarget = z.infer<typeof BaselineTarget>;

export const ProbeBaseline = z.object({
  schema: z.literal('clawbar.probe-baseline/1'),
  name: z.string(),
  savedAt: z.string(),
  traceId: z.string(),
  runtime: z.object({ execPath: z.string(), nodeVersion: z.string(), openssl: z.string() }),
  /** The targets as asked (pins, expected SNI), so `--compare` probes the same list. */
  asked: z.array(z.object({ url: z.string(), kind: z.string(), name: z.string().nullable(), sni: z.string().nullable(), pin: z.string().nullable() })),
  targets: z.array(BaselineTarget),
});
export type ProbeBaseline = z.infer<typeof ProbeBaseline>;

export const PhaseName = z.enum(['dnsMs', 'connectMs', 'proxyConnectMs', 'tlsMs', 'ttfbMs', 'totalMs']);
export type PhaseName = z.infer<typeof PhaseName>;

/** One target compared with its baseline. */
export const BaselineDelta = z.object({
  target: z.string(),
  /** A target of the run the baseline does not have, or the other way round. */
  presence: z.enum(['both', 'new', 'missing']),
  phases: z.array(z.object({ phase: PhaseName, baselineMs: z.number().nullable(), recentMs: z.number().nullable(), runs: z.number(), slower: z.boolean() })),
  changes: z.array(z.object({ what: z.enum(['result', 'tls-protocol', 'tls-cipher', 'tls-issuer', 'route', 'family']), before: z.string().nullable(), after: z.string().nullable() })),
  regressed: z.boolean(),
});
export type BaselineDelta = z.infer<typeof BaselineDelta>;

export const BaselineComparison = z.object({
  name: z.string(),
  savedAt: z.string(),
  comparedAt: z.string(),
  /** How phases are judged: the median of the last `runs` runs against the baseline. */
  rule: z.object({ runs: z.number(), ratio: z.number(), minDeltaMs: z.number() }),
  runtime: z.object({ before: z.string(), after: z.string() }),
  targets: z.array(BaselineDelta),
  regressions: z.number(),
});
export type BaselineComparison = z.infer<typeof BaselineComparison>;

/** Errors the gateway logged, counted per layer (and per host, top ones) for one window. */
export const GatewayLogWindow = z.object({
  from: z.string(),
  to: z.string(),
  byLayer: z.record(z.string(), z.number()),
  byHost: z.array(z.object({ host: z.string(), layer: Layer, count: z.number() })),
});

export const GatewayLogErrors = z.object({
  /** The log files read (active ones), and whether any could be. */
  files: z.array(z.string()),
  readable: z.boolean(),
  /** Counted since clawbar first read these logs (the metrics' counters). */
  totals: z.record(z.string(), z.number()),
  lastHour: GatewayLogWindow,
  lastDay: GatewayLogWindow,
  /** Layers whose last hour is well above their usual hourly rate. */
  jumps: z.array(z.object({ layer: Layer, lastHour: z.number(), usualPerHour: z.number() })),
});
export type GatewayLogErrors = z.infer<typeof GatewayLogErrors>;

/** The node binary a service names: where it resolves and a fingerprint (size, mtime), so its version is asked only when the file moved. */
export const NodeBinary = z.object({
  path: z.string(),
  realPath: z.string(),
  size: z.number(),
  mtimeMs: z.number(),
  /** `node --version`; null when it could not be asked. */
  version: z.string().nullable(),
});
export type NodeBinary = z.infer<typeof NodeBinary>;

const NodeRef = z.object({ path: z.string(), version: z.string().nullable() });

/** A new gateway version (`/startupz`) or another node binary (path or version) under the service. */
export const RuntimeChange = z.discriminatedUnion('what', [
  z.object({ what: z.literal('gateway'), before: z.string(), after: z.string() }),
  z.object({ what: z.literal('node'), before: NodeRef, after: NodeRef }),
]);
export type RuntimeChange = z.infer<typeof RuntimeChange>;

/** What the automatic comparison after a runtime change found (the watch log's `upgrade-check` line, and the state's finding). */
export const UpgradeCheck = z.object({
  at: z.string(),
  changes: z.array(RuntimeChange),
  /** The newest baseline compared against; null when none was saved (the suite then ran once, as usual). */
  baseline: z.string().nullable(),
  /** The last probe run of the comparison. */
  traceId: z.string().nullable(),
  regressions: z.number(),
  /** One line per regressed target (as `probe --compare` prints them). */
  lines: z.array(z.string()),
  error: z.string().nullable(),
});
export type UpgradeCheck = z.infer<typeof UpgradeCheck>;

/** What the agent last saw of the daemon's runtime, kept so a restart neither repeats nor misses a change. */
export const DaemonRuntime = z.object({
  schema: z.literal('clawbar.daemon-runtime/1'),
  gatewayVersion: z.string().nullable(),
  node: NodeBinary.nullable(),
  /** Changes seen and not yet compared: the comparison waits one quiet look and an answering gateway. */
  pending: z.object({ since: z.string(), changes: z.array(RuntimeChange) }).nullable(),
  lastCheck: UpgradeCheck.nullable(),
});
export type DaemonRuntime = z.infer<typeof DaemonRuntime>;
