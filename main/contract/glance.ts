import { z } from 'zod';
import { Finding, Severity } from './common.ts';
import { DownVerdict, EdgesReport } from './edges.ts';

/** The at-a-glance answers: clock, listeners, health and the status that joins them. */

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
  /** Why the gateway is down, when it is (clawbar status; the app's gateway tile). */
  verdict: DownVerdict.nullable().optional(),
  /** The ways into the gateway, when this status look inspected them. */
  edges: EdgesReport.nullable().optional(),
});
export type StatusReport = z.infer<typeof StatusReport>;
