import { z } from 'zod';
import { Finding, Severity } from './common.ts';
import { Remedy } from './remedy.ts';

/** Probe targets, results, the probe child's protocol and the suite's report. */

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
  /** What classify.ts decided solves the failure; absent on a result that passed. */
  remedy: Remedy.nullable().optional(),
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
