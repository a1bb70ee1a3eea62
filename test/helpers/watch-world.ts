import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Peer, waitFor } from '../peers/peer.ts';
import { CLI, cliEnv } from './world.ts';

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
