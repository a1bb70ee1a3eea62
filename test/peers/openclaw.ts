import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, Peer } from './peer.ts';

/** The OpenClaw release the tests run against; .ci/run installs the same one. */
export const OPENCLAW_VERSION = '2026.9.6';

/** Node 24 from the `node` devDependency: OpenClaw needs >= 24.16, whatever runs the tests. */
export const NODE24 = resolve(import.meta.dirname, '..', '..', 'node_modules', 'node', 'bin', 'node');

/**
 * Where the OpenClaw package lives: outside the clone (it is large), in the
 * cache .ci/run fills, or wherever CLAWBAR_OPENCLAW_DIR points.
 */
export function openclawPackageDir(): string {
  if (process.env.CLAWBAR_OPENCLAW_DIR) return process.env.CLAWBAR_OPENCLAW_DIR;
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cache, 'clawbar-test', `openclaw-${OPENCLAW_VERSION}`, 'node_modules', 'openclaw');
}

export function openclawEntry(): string {
  const entry = join(openclawPackageDir(), 'openclaw.mjs');
  if (!existsSync(entry)) throw new Error(`OpenClaw ${OPENCLAW_VERSION} is not installed at ${openclawPackageDir()}; run .ci/run (or set CLAWBAR_OPENCLAW_DIR)`);
  return entry;
}

/**
 * Config that keeps the gateway off the network: no catalog refresh, no update
 * check, and a dead loopback proxy that absorbs the plugin-feed fetch (to
 * clawhub.ai) no setting turns off. Loopback stays direct (gateway-only mode).
 */
export const QUIET_CONFIG = {
  models: { catalogRefresh: { enabled: false } },
  update: { checkOnStart: false },
  proxy: { proxyUrl: 'http://127.0.0.1:9' },
};

export interface GatewayOptions {
  home: string;
  port?: number;
  bind?: 'loopback' | 'lan';
  auth?: 'none' | 'token';
  token?: string;
  /** Extra config merged into openclaw.json. */
  config?: Record<string, unknown>;
  /** Start through `--port` (default) or let the gateway read its port from config/env only. */
  portFromConfig?: boolean;
  env?: Record<string, string>;
}

export interface RunningGateway {
  peer: Peer;
  port: number;
  url: string;
  readyMs: number;
  stop: () => Promise<void>;
}

/** Writes openclaw.json into the temporary HOME the gateway will use. */
export async function writeOpenclawConfig(home: string, config: Record<string, unknown>): Promise<string> {
  const dir = join(home, '.openclaw');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'openclaw.json');
  await writeFile(path, `// written by the clawbar tests\n${JSON.stringify({ ...QUIET_CONFIG, ...config }, null, 2)}\n`);
  return path;
}

/** Starts the real OpenClaw gateway on loopback under Node 24 and waits for /readyz. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const port = options.port ?? await freePort();
  if (options.config || !existsSync(join(options.home, '.openclaw', 'openclaw.json'))) {
    await writeOpenclawConfig(options.home, options.config ?? {});
  }
  const args = [openclawEntry(), 'gateway', 'run', '--allow-unconfigured', '--bind', options.bind ?? 'loopback', '--auth', options.auth ?? 'none'];
  if (!options.portFromConfig) args.push('--port', String(port));
  if (options.auth === 'token') args.push('--token', options.token ?? 'test-token-0123456789');
  const peer = new Peer({
    name: 'openclaw-gateway',
    command: NODE24,
    args,
    cwd: options.home,
    env: { HOME: options.home, PATH: `${resolve(NODE24, '..')}:/usr/bin:/bin`, TMPDIR: '/tmp', ...options.env },
  });
  await peer.start();
  const url = `http://127.0.0.1:${port}`;
  try {
    const readyMs = await peer.ready(async () => (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) })).status === 200, 60_000);
    return { peer, port, url, readyMs, stop: () => peer.stop() };
  } catch (error) {
    await peer.stop();
    throw error;
  }
}
