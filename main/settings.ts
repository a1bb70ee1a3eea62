import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from './system/errors.ts';
import { readBoundedFile } from './system/files.ts';
import { clawbarPaths } from './system/paths.ts';

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
});
export type Settings = z.infer<typeof Settings>;

export const settingsPath = (env: Record<string, string | undefined> = process.env) => join(clawbarPaths(env).configDir, 'config.json');

/** Reads settings; a missing file gives the defaults, a broken one is an InputError (exit 65). */
export async function loadSettings(path = settingsPath()): Promise<Settings> {
  let text: string;
  try {
    text = (await readBoundedFile(path, 1024 * 1024)).toString('utf8');
  } catch (error) {
    if (error instanceof InputError && /no such file/.test(error.message)) return Settings.parse({});
    throw error;
  }
  let data: unknown;
  try { data = JSON.parse(text); } catch { throw new InputError(`${path} is not valid JSON`, path); }
  const parsed = Settings.safeParse(data);
  if (!parsed.success) throw new InputError(`${path}: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`, path);
  return parsed.data;
}
