import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ChildMessage, type ChildRequest, type ProbeResult } from '../contract.ts';

/**
 * The child's entry: the TypeScript source next to this file (CLI, tests),
 * or — when this code is bundled into the app's out/main/index.js — the
 * bundled out/child/child.mjs, read from app.asar.unpacked because the
 * daemon's node cannot read inside the asar archive.
 */
export function childScript(dir: string, fromSource: boolean): string {
  if (fromSource) return join(dir, 'child.ts');
  return join(dir, '..', 'child', 'child.mjs').replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

export const CHILD_SCRIPT = childScript(import.meta.dirname, import.meta.filename.endsWith('.ts'));

export interface ChildRuntime {
  execPath: string;
  nodeVersion: string;
  openssl: string;
}

export interface ChildRun {
  runtime: ChildRuntime | null;
  results: ProbeResult[];
  /** Set when the child could not run at all (missing binary, too old for the engine). */
  failure: string | null;
}

export interface SpawnOptions {
  execPath: string;
  /** The child's entire environment: nothing from clawbar's own process leaks in. */
  env: Record<string, string>;
  cwd: string;
  request: ChildRequest;
  onProgress?: (target: string, phase: string) => void;
  onResult?: (result: ProbeResult) => void;
}

/**
 * Runs the probe child once and collects its messages. Every line is validated
 * with zod; a line that does not parse is ignored and counted as a failure.
 * The child is killed if it outlives the request's timeout by a margin.
 */
export function spawnProbeChild(options: SpawnOptions): Promise<ChildRun> {
  // Inside the app, process.execPath is Electron, whose runAsNode fuse is off (electron-builder.yml): it would start
  // a second app instead of a probe child. Without a node of the daemon's there is no faithful world to probe from.
  if (process.versions.electron && options.execPath === process.execPath) {
    return Promise.resolve({ runtime: null, results: [], failure: 'the probes need a node binary: the gateway\'s own is missing or could not run the probe child, and the app does not run itself as Node' });
  }
  return new Promise((resolve) => {
    const child = spawn(options.execPath, [CHILD_SCRIPT], { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const run: ChildRun = { runtime: null, results: [], failure: null };
    let stderr = '';
    let done = false;
    const killer = setTimeout(() => child.kill('SIGKILL'), options.request.timeoutMs + 10_000);
    child.stderr.on('data', (chunk: Buffer) => { if (stderr.length < 8192) stderr += chunk.toString('utf8'); });
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(options.request));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      let parsed;
      try { parsed = ChildMessage.safeParse(JSON.parse(line)); } catch { return; }
      if (!parsed.success) return;
      const message = parsed.data;
      if (message.type === 'hello') run.runtime = { execPath: message.execPath, nodeVersion: message.nodeVersion, openssl: message.openssl };
      else if (message.type === 'progress') options.onProgress?.(message.target, message.phase);
      else if (message.type === 'result') { run.results.push(message.result); options.onResult?.(message.result); }
      else done = true;
    });
    child.on('error', (error) => { run.failure = `cannot start ${options.execPath}: ${error.message}`; });
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      if (!done && !run.failure) {
        const why = stderr.trim().split('\n').filter((l) => !/^\s+at /.test(l)).slice(-3).join(' ');
        run.failure = `the probe child under ${options.execPath} stopped (${signal ?? `exit ${code}`})${why ? `: ${why}` : ''}`;
      }
      resolve(run);
    });
  });
}
