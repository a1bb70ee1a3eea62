import { z } from 'zod';

const httpUrl = z.string().url().regex(/^https?:\/\//i, 'expected an http:// or https:// URL');
const name = z.string().min(1).max(64).regex(/^[\w .:-]+$/, 'letters, digits, space, dot, colon, dash, underscore').optional();

/**
 * Where pages go (no defaults inside the union: the app's JSON schema
 * validator ignores them there, so they live in main/paging). URLs, headers and credentials are secrets (a webhook URL is
 * its own password): the watcher keeps the settings file 0600 and registers
 * every one of them with the redactor before anything runs.
 */
export const Notifier = z.discriminatedUnion('kind', [
  /** POSTs the documented JSON body (clawbar.page/1) to any URL. */
  z.object({ kind: z.literal('webhook'), name, url: httpUrl, headers: z.record(z.string(), z.string()).optional() }),
  /** A Slack-compatible incoming webhook (`{"text": …}`; Mattermost and Rocket.Chat take the same). */
  z.object({ kind: z.literal('slack'), name, url: httpUrl }),
  /** Prometheus Alertmanager's base URL; alerts go to /api/v2/alerts, re-posted while firing. */
  z.object({
    kind: z.literal('alertmanager'), name, url: httpUrl, username: z.string().optional(), password: z.string().optional(), bearerToken: z.string().optional(),
    labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).optional(),
    /** Alertmanager forgets an alert that is not re-posted; Prometheus re-sends about every minute too (default 60). */
    repostIntervalSec: z.number().int().min(10).max(3600).optional(),
  }),
]);
export type Notifier = z.infer<typeof Notifier>;

/** One check's debounce; anything left out comes from `paging.defaults`, then from the built-in rule of that check. */
export const DebounceSettings = z.object({
  enabled: z.boolean().optional(),
  failureThreshold: z.number().int().min(1).max(20).optional(),
  /** The failing looks must fall within this many seconds (null: however far apart). */
  failureWindowSec: z.number().int().min(1).max(86_400).nullable().optional(),
  successThreshold: z.number().int().min(1).max(20).optional(),
  /** Re-page while still failing every this many seconds; 0 = never. */
  reminderIntervalSec: z.number().int().min(0).max(7 * 86_400).optional(),
  sendResolved: z.boolean().optional(),
}).strict();
export type DebounceSettings = z.infer<typeof DebounceSettings>;

/** The paged checks (main/paging/rules.ts gives each its built-in rule); egress is tracked per failing layer. */
export const PAGE_CHECKS = ['gateway', 'exposure', 'clock', 'egress', 'fixReverted'] as const;
export type PageCheck = (typeof PAGE_CHECKS)[number];

/** One object with a field per paged check, built from PAGE_CHECKS so no list of them is written twice. */
export function perCheck<T extends z.ZodType>(field: T) {
  return z.object(Object.fromEntries(PAGE_CHECKS.map((check) => [check, field])) as Record<PageCheck, T>);
}

export const PagingSettings = z.object({
  /** The node name in every page; empty = this Mac's host name. */
  node: z.string().max(128).default(''),
  notifiers: z.array(Notifier).max(10).default([]),
  /** Called on every watcher cycle (a dead man's switch outside the Mac); null = off. */
  heartbeatUrl: httpUrl.nullable().default(null),
  defaults: DebounceSettings.default({}),
  checks: perCheck(DebounceSettings).partial().default({}),
  /** A failure not yet confirmed (or a recovery) gets a second look this soon instead of at the check's next turn. */
  confirmAfterSec: z.number().int().min(5).max(600).default(30),
});
export type PagingSettings = z.infer<typeof PagingSettings>;

export const WatchSettings = z.object({
  /** How often openclaw.json, the plist, the env file (and the watcher's own settings) are looked at. */
  configPollSec: z.number().int().min(1).max(300).default(15),
  /** Quiet time after the last change before re-verifying, so an editor's save-rename-save counts once. */
  configDebounceSec: z.number().int().min(0).max(240).default(10),
});
export type WatchSettings = z.infer<typeof WatchSettings>;

/**
 * The watcher's continuous egress sampling (what `clawbar egress observe`
 * does, on a schedule). Off until asked for: each sample runs `ps` and
 * `lsof` against the gateway's process tree, which the watcher's idle cost
 * does not otherwise pay, and it keeps a month of where the node connects —
 * an operator's decision, like a 24 h packet capture.
 */
export const EgressSampleSettings = z.object({
  sample: z.boolean().default(false),
  /** Seconds between samples: 5 at least (a bounded rate); a connection shorter than this may fall between two. */
  intervalSec: z.number().int().min(5).max(3600).default(15),
});
export type EgressSampleSettings = z.infer<typeof EgressSampleSettings>;

/**
 * Settings shared by the menu-bar app (electron-store writes this file) and
 * the CLI (reads it), so `clawbar status` over SSH judges by the thresholds
 * the operator chose in the app.
 */
export const Settings = z.object({
  /** NTP server for the clock check, HOST[:PORT]; empty = what macOS uses (systemsetup), else time.apple.com. */
  ntpServer: z.string().regex(/^$|^(\[[0-9a-fA-F:.]+\]|[^:\s\[\]]+)(:\d{1,5})?$/, 'expected HOST, HOST:PORT or [v6]:PORT').default(''),
  healthIntervalSec: z.number().int().min(5).max(3600).default(60),
  listenerIntervalSec: z.number().int().min(30).max(86_400).default(300),
  clockIntervalSec: z.number().int().min(30).max(86_400).default(600),
  probeIntervalSec: z.number().int().min(60).max(86_400).default(3600),
  healthOkP95Ms: z.number().positive().default(300),
  healthDegradedP95Ms: z.number().positive().default(800),
  clockWarnMs: z.number().positive().default(1000),
  clockCriticalMs: z.number().positive().default(60_000),
  /** Ports allowed beyond loopback with a documented reason (e.g. token-auth gateway on the tailnet). */
  listenerExceptions: z.array(z.object({ port: z.number().int(), reason: z.string() })).default([]),
  /** Extra URLs whose Date header can stand in for NTP when UDP 123 is blocked. */
  clockHttpDateUrls: z.array(z.string().url()).default([]),
  /**
   * Where `clawbar metrics` and the app write the textfile for node_exporter's
   * textfile collector (which reads only `*.prom`); empty = `<state dir>/metrics/clawbar.prom`,
   * because node_exporter's conventional folder is not writable by users.
   */
  metricsTextfilePath: z.string().regex(/^$|^\/.*\.prom$/, 'expected an absolute path ending in .prom').default(''),
  /** Port for the app's metrics endpoint on 127.0.0.1 only; null = off. */
  metricsPort: z.number().int().min(1024).max(65535).nullable().default(null),
  /** Notifications per area (the app only; each fires on a change of state, never on a steady one). */
  notifyGateway: z.boolean().default(true),
  notifyListeners: z.boolean().default(true),
  notifyClock: z.boolean().default(true),
  notifyEgress: z.boolean().default(true),
  /** Start the menu-bar app at login (applied with the OS's login items; the CLI ignores it). */
  launchAtLogin: z.boolean().default(false),
  /** Pages off the Mac (webhook, Slack, Alertmanager, heartbeat); no notifiers = no pages. */
  paging: PagingSettings.default(PagingSettings.parse({})),
  /** The headless watcher (`clawbar watch`). */
  watch: WatchSettings.default(WatchSettings.parse({})),
  /** Where the gateway really connects, sampled by the watcher (`report --allowlist` shows it). */
  egress: EgressSampleSettings.default(EgressSampleSettings.parse({})),
});
export type Settings = z.infer<typeof Settings>;
