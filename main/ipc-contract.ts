import { z } from 'zod';
import { ClockReport, DownVerdict, EdgesReport, EnvReport, Finding, FixBundleSummary, FixOutcome, FixRequest, FixStep, HealthReport, ListenersReport, ProbeReport, ViewName } from './contract.ts';
import { GatewayLogHistory } from './contract/gateway-log-history.ts';
import { SettingsEdit, SettingsView, TestPageRequest, TestPageResult } from './contract/settings.ts';

/**
 * The one IPC contract between Electron main and the renderer. Main validates
 * every request with these schemas (and checks the sender); the preload
 * exposes one named function per channel. No electron import here, so the
 * agent, the preload, the renderer and the E2E bridge all share it.
 */

/** The views and the fix request are the contract's (a diagnosis's remedy names them too); IPC shares them. */
export { FixRequest, VIEW_NAMES, ViewName } from './contract.ts';

export const LineState = z.enum(['ok', 'warn', 'critical', 'unknown']);
export type LineState = z.infer<typeof LineState>;

/** One status line: the tray's context menu shows these, the overview tiles too. */
export const StatusLine = z.object({ state: LineState, text: z.string() });
export type StatusLine = z.infer<typeof StatusLine>;

export const GatewaySummary = z.object({
  found: z.boolean(),
  plistPath: z.string().nullable(),
  label: z.string().nullable(),
  port: z.number(),
  bind: z.string(),
  auth: z.string(),
  url: z.string(),
  version: z.string().nullable(),
  uptimeMs: z.number().nullable(),
  proxyUrl: z.string().nullable(),
});
export type GatewaySummary = z.infer<typeof GatewaySummary>;

export const AgentState = z.object({
  overall: LineState,
  updatedAt: z.string(),
  gateway: HealthReport.nullable(),
  gatewayInfo: GatewaySummary.nullable(),
  listeners: ListenersReport.nullable(),
  clock: ClockReport.nullable(),
  lastProbe: ProbeReport.nullable(),
  /** The same suite in the shell's world, when the operator asked for the comparison. */
  lastShellProbe: ProbeReport.nullable(),
  lines: z.object({ gateway: StatusLine, listeners: StatusLine, clock: StatusLine, egress: StatusLine }),
  /** Latest gateway latencies (ms), oldest first, for the sparkline. */
  latencyHistory: z.array(z.number()),
  /** Everything worth attention, worst first: service, health, listener, clock and probe findings. */
  findings: z.array(Finding),
  firstRun: z.boolean(),
  paused: z.boolean(),
  /** Which checks are running right now, so the UI can show activity without guessing. */
  busy: z.array(z.enum(['health', 'listeners', 'clock', 'probes', 'service', 'fix'])),
  /** Every way into the gateway, from the app's last look (clawbar edges). */
  edges: EdgesReport.nullable().optional(),
  /** Why the gateway is down, while it is: the gateway tile shows it. */
  verdict: DownVerdict.nullable().optional(),
  /** Who runs the schedules: this agent, or the headless watcher (`clawbar watch`) whose state the app shows. */
  owner: z.object({ kind: z.enum(['app', 'watcher']), pid: z.number(), since: z.string(), pausedUntil: z.string().nullable() }).optional(),
});
export type AgentState = z.infer<typeof AgentState>;

export const HealthPoint = z.object({ at: z.string(), state: z.enum(['ok', 'fail']), latencyMs: z.number().nullable() });
export const ProbeRun = z.object({
  traceId: z.string(),
  at: z.string(),
  source: z.enum(['daemon', 'shell']),
  total: z.number(),
  failed: z.number(),
  layers: z.array(z.string()),
});
export type ProbeRun = z.infer<typeof ProbeRun>;
/** `gatewayLog`: the gateway's own log errors by layer, host and hour; null when they could not be read. */
export const History = z.object({ health: z.array(HealthPoint), probes: z.array(ProbeRun), gatewayLog: GatewayLogHistory.nullable() });
export type History = z.infer<typeof History>;

/** Apply names the plan the operator previewed; the fix engine refuses if the files changed since. */
export const FixApply = z.object({ fix: FixRequest, planId: z.string().regex(/^[\w-]{1,64}$/).optional() }).strict();

export const RefreshCheck = z.enum(['all', 'health', 'listeners', 'clock', 'service']);
export type RefreshCheck = z.infer<typeof RefreshCheck>;

const Empty = z.object({}).strict();

export { SettingsEdit, SettingsView, TestPageRequest, TestPageResult } from './contract/settings.ts';

/** invoke channels: request and response schemas. */
export const INVOKE = {
  'state:get': { request: Empty, response: AgentState },
  'state:refresh': { request: z.object({ check: RefreshCheck.optional() }).strict(), response: AgentState },
  'probes:run': { request: z.object({ world: z.enum(['daemon', 'shell']).optional() }).strict(), response: ProbeReport },
  'listeners:save-baseline': { request: Empty, response: ListenersReport },
  'env:get': { request: Empty, response: EnvReport },
  'fix:plan': { request: FixRequest, response: FixOutcome },
  'fix:apply': { request: FixApply, response: FixOutcome },
  'fix:rollback': { request: z.object({ id: z.string().regex(/^[\w.:-]{1,128}$/).optional() }).strict(), response: FixOutcome },
  'fix:history': { request: Empty, response: z.array(FixBundleSummary) },
  /** Puts back a recorded fix that something undid: a dry run (preview, pre-flight), then `apply` with the reviewed plan id. */
  'fix:reapply': { request: z.object({ id: z.string().regex(/^[\w.:-]{1,128}$/), apply: z.boolean().optional(), planId: z.string().regex(/^[\w-]{1,64}$/).optional() }).strict(), response: FixOutcome },
  'history:get': { request: Empty, response: History },
  'report:copy': { request: Empty, response: z.object({ copied: z.boolean(), chars: z.number() }) },
  /** Paging secrets stay in main: the view says where a notifier goes and what is set, an edit keeps what it leaves out. */
  'settings:get': { request: Empty, response: SettingsView },
  'settings:set': { request: SettingsEdit, response: SettingsView },
  'paging:test': { request: TestPageRequest, response: TestPageResult },
  'wizard:complete': { request: Empty, response: AgentState },
} as const;
export type InvokeChannel = keyof typeof INVOKE;
export type InvokeRequest<C extends InvokeChannel> = z.input<(typeof INVOKE)[C]['request']>;
export type InvokeResponse<C extends InvokeChannel> = z.infer<(typeof INVOKE)[C]['response']>;

export const Progress = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('probe'), world: z.enum(['daemon', 'shell']), target: z.string(), phase: z.string(), done: z.number(), total: z.number() }),
  z.object({ kind: z.literal('fix'), step: FixStep }),
]);
export type Progress = z.infer<typeof Progress>;

/** Event channels, main → renderer. */
export const EVENTS = {
  'state': AgentState,
  'progress': Progress,
  /** Main asks the renderer to show a view (tray menu item, notification click). */
  'view': z.object({ view: ViewName }),
} as const;
export type EventChannel = keyof typeof EVENTS;
export type EventPayload<C extends EventChannel> = z.infer<(typeof EVENTS)[C]>;

/** What the agent asks main to show as a notification; `view` is where a click leads. */
export const Notice = z.object({ id: z.string(), title: z.string(), body: z.string(), view: ViewName });
export type Notice = z.infer<typeof Notice>;
