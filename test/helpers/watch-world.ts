import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NODE24, QUIET_CONFIG, startGateway, type RunningGateway } from '../peers/openclaw.ts';
import { Peer, waitFor } from '../peers/peer.ts';
import { startSntpServer } from '../peers/sntp-server.ts';
import { CLI, cliEnv, subdir, writeService } from './world.ts';

/** Where a temporary HOME keeps clawbar's files on Linux (XDG defaults), as the CLI and the agent derive them. */
export function watchPaths(world: string) {
  const state = join(world, '.local', 'state', 'clawbar');
  return {
    settings: join(world, '.config', 'clawbar', 'config.json'),
    state,
    logs: join(state, 'logs'),
    pages: join(state, 'logs', 'pages.jsonl'),
    watchLog: join(state, 'logs', 'watch.jsonl'),
    statusLog: join(state, 'logs', 'status.jsonl'),
    watchState: join(state, 'watch-state.json'),
    lock: join(state, 'watch.lock'),
    textfileDir: join(state, 'metrics'),
  };
}

export interface WatchedGateway {
  /** The HOME the watcher runs in: its OpenClaw service points at the gateway. */
  world: string;
  gateway: RunningGateway;
  /** Starts the gateway again (after a test stopped it) in its own HOME on the same port, its stop pushed onto `stops`. */
  restartGateway(): Promise<RunningGateway>;
  /** An SNTP server at no offset, as `host:port` for the ntpServer setting. */
  ntpServer: string;
}

/**
 * What a watcher watches: an SNTP server, the real gateway in its own HOME
 * (root/gateway), and a second HOME (root/world) whose OpenClaw service
 * points at that gateway. Each stop is pushed onto `stops` as soon as its
 * peer is up, so a step that fails later leaves nothing running.
 */
export async function startWatchedGateway(root: string, stops: Array<() => Promise<unknown>>): Promise<WatchedGateway> {
  const sntp = await startSntpServer({ offsetMs: 0 });
  stops.push(() => sntp.stop());
  const gwHome = await subdir(root, 'gateway');
  const gateway = await startGateway({ home: gwHome, config: QUIET_CONFIG });
  stops.push(() => gateway.stop());
  const world = await subdir(root, 'world');
  const svc = await writeService(world, { nodePath: NODE24, port: gateway.port, env: { HOME: world, OPENCLAW_GATEWAY_PORT: String(gateway.port) } });
  await writeFile(join(svc.stateDir, 'openclaw.json'), JSON.stringify({ ...QUIET_CONFIG, gateway: { port: gateway.port, auth: { mode: 'none' } } }));
  return {
    world, gateway, ntpServer: `127.0.0.1:${sntp.port}`,
    restartGateway: async () => {
      const again = await startGateway({ home: gwHome, port: gateway.port, config: QUIET_CONFIG });
      stops.push(() => again.stop());
      return again;
    },
  };
}

/** Writes the shared settings file with the given mode (the app writes it 0644; the watcher makes it 0600 once it holds secrets). */
export async function writeSettings(world: string, settings: object, mode = 0o644): Promise<string> {
  const path = watchPaths(world).settings;
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, JSON.stringify(settings, null, 2));
  await chmod(path, mode);
  return path;
}

/** JSON lines of a log, or [] while it does not exist. */
export async function jsonLines(path: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** `clawbar watch` as its own process, the way an operator (or launchd) runs it; its stderr lands in the peer log. */
export async function startWatcher(world: string, extraEnv: Record<string, string> = {}, args: string[] = []): Promise<Peer> {
  const peer = new Peer({ name: 'clawbar-watch', command: process.execPath, args: [CLI, 'watch', ...args], env: cliEnv(world, extraEnv) });
  await peer.start();
  const paths = watchPaths(world);
  await peer.ready(async () => (await readFile(paths.watchState, 'utf8').catch(() => '')).includes('"gateway"'), 30_000);
  return peer;
}

/** Waits for a condition on a log, showing the log when it does not come. */
export async function waitForLine(path: string, what: string, match: (line: Record<string, unknown>) => boolean, timeoutMs: number): Promise<number> {
  try {
    return await waitFor(what, async () => (await jsonLines(path)).some(match), timeoutMs, 250);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- ${path} ---\n${await readFile(path, 'utf8').catch(() => '(none)')}`);
  }
}
