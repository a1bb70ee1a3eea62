import { z } from 'zod';

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
});
export type Settings = z.infer<typeof Settings>;
