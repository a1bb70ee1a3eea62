import { spawn, type ChildProcess } from 'node:child_process';
import module from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ChildMessage, ChildRequest, type ProbeResult } from '../contract.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import { whichOnPath } from '../service/shell-diff.ts';
import { isExecutable } from '../system/files.ts';

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

/** Where the probe child runs: the node binary, its entire environment and its working folder. */
export interface ChildWorld {
  execPath: string;
  /** The child's entire environment: nothing from clawbar's own process leaks in. */
  env: Record<string, string>;
  cwd: string;
}

export interface ChildWorldChoice {
  /** The daemon's world (service environment) or the caller's own (`--shell-env`). */
  source: 'daemon' | 'shell';
  service: ServiceEnvironment | null;
  /** The operator's environment: the world under `--shell-env`, and where this Node's fallback comes from. */
  shellEnv: Readonly<Record<string, string | undefined>>;
}

/**
 * The world the probes run in: the daemon's effective environment, its own
 * node binary and working folder, or the caller's shell. Falls back to this
 * Node (with a note saying so) when the named binary does not exist here.
 */
export async function childWorld(choice: ChildWorldChoice): Promise<{ world: ChildWorld; daemonNode: string | null; note: string | null }> {
  const { service, shellEnv } = choice;
  const daemon = choice.source === 'daemon';
  const env: Record<string, string> = daemon && service
    ? { ...service.env }
    : Object.fromEntries(Object.entries(shellEnv).filter((e): e is [string, string] => e[1] !== undefined));
  const daemonNode = daemon ? service?.facts.service?.nodePath ?? null : null;
  let execPath = daemon ? daemonNode : whichOnPath('node', shellEnv.PATH) ?? process.execPath;
  let note: string | null = null;
  if (!execPath || !(await isExecutable(execPath))) {
    note = execPath ? `the daemon's node ${execPath} does not exist here; probes ran with ${process.execPath}` : `no node binary named by the service; probes ran with ${process.execPath}`;
    execPath = process.execPath;
  }
  const serviceCwd = daemon ? service?.facts.service?.workingDirectory : undefined;
  const cwd = serviceCwd && await isExecutable(serviceCwd) ? serviceCwd : (env.HOME ?? shellEnv.HOME ?? '/');
  return { world: { execPath, env, cwd }, daemonNode, note };
}

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

export interface ChildCallbacks {
  onProgress?: (target: string, phase: string) => void;
  onResult?: (result: ProbeResult) => void;
}

const keyOf = (world: ChildWorld) => JSON.stringify([world.execPath, world.cwd, Object.entries(world.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);

/**
 * Node flags that hand the child this process's compile cache (the CLI's,
 * see bin/clawbar.js), so a fresh child does not strip and compile the
 * engine again either. Given as flags, not NODE_COMPILE_CACHE, because the
 * child's environment is exactly the one under test.
 */
function cacheFlags(): string[] {
  const dir = module.getCompileCacheDir?.();
  if (!dir) return [];
  const code = `import m from 'node:module'; m.enableCompileCache?.(${JSON.stringify(dir)});`;
  return ['--import', `data:text/javascript,${encodeURIComponent(code)}`];
}

/**
 * One probe child, started before its request is known: its start-up and
 * warm-up overlap whatever the caller does meanwhile (choosing targets,
 * asking the system's resolvers), or all of the idle time when it is kept
 * ready. Every line it writes is validated with zod; a line that does not
 * parse is ignored. Killed if it outlives the request's timeout by a margin.
 */
export class ProbeChild {
  readonly key: string;
  readonly execPath: string;
  /** Settles when the child said hello, which it does once warmed up (or when it stopped before that). */
  readonly ready: Promise<void>;
  private readonly child: ChildProcess | null;
  private readonly run: ChildRun = { runtime: null, results: [], failure: null };
  private callbacks: ChildCallbacks = {};
  private requested = false;
  private settled = false;
  private settle: () => void = () => {};
  /** Settles with the run once the child said 'done' or stopped. */
  readonly finished: Promise<ChildRun>;
  private killer: NodeJS.Timeout | null = null;

  constructor(world: ChildWorld) {
    this.key = keyOf(world);
    this.execPath = world.execPath;
    this.finished = new Promise((resolve) => {
      this.settle = () => {
        if (this.settled) return;
        this.settled = true;
        if (this.killer) clearTimeout(this.killer);
        resolve(this.run);
      };
    });
    let hello: () => void = () => {};
    this.ready = new Promise((resolve) => { hello = resolve; });
    void this.finished.then(() => hello());
    // Inside the app, process.execPath is Electron, whose runAsNode fuse is off (electron-builder.yml): it would start
    // a second app instead of a probe child. Without a node of the daemon's there is no faithful world to probe from.
    if (process.versions.electron && world.execPath === process.execPath) {
      this.child = null;
      this.run.failure = 'the probes need a node binary: the gateway\'s own is missing or could not run the probe child, and the app does not run itself as Node';
      this.settle();
      return;
    }
    const child = spawn(world.execPath, [...cacheFlags(), CHILD_SCRIPT], { env: world.env, cwd: world.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    let done = false;
    child.stderr!.on('data', (chunk: Buffer) => { if (stderr.length < 8192) stderr += chunk.toString('utf8'); });
    child.stdin!.on('error', () => {});
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let parsed;
      try { parsed = ChildMessage.safeParse(JSON.parse(line)); } catch { return; }
      if (!parsed.success) return;
      const message = parsed.data;
      if (message.type === 'hello') {
        this.run.runtime = { execPath: message.execPath, nodeVersion: message.nodeVersion, openssl: message.openssl };
        hello();
      } else if (message.type === 'progress') this.callbacks.onProgress?.(message.target, message.phase);
      else if (message.type === 'result') { this.run.results.push(message.result); this.callbacks.onResult?.(message.result); }
      else if (this.requested) {
        done = true;
        this.settle();
      }
    });
    child.on('error', (error) => { this.run.failure = `cannot start ${world.execPath}: ${error.message}`; });
    child.on('close', (code, signal) => {
      if (!done && !this.run.failure) {
        const why = stderr.trim().split('\n').filter((l) => !/^\s+at /.test(l)).slice(-3).join(' ');
        this.run.failure = `the probe child under ${world.execPath} stopped (${signal ?? `exit ${code}`})${why ? `: ${why}` : ''}`;
      }
      this.settle();
    });
    this.hold(false);
  }

  /** True while the child is up and has not been given a request. */
  get waiting(): boolean {
    return !this.requested && !this.settled;
  }

  /** A child waiting for its request must not keep this process alive; one at work must. */
  private hold(on: boolean): void {
    const child = this.child;
    if (!child) return;
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as Array<{ ref?: () => void; unref?: () => void } | null>) {
      if (on) handle?.ref?.(); else handle?.unref?.();
    }
  }

  /** Sends the request and collects the child's results; resolves once it said 'done' (or stopped). */
  probe(request: ChildRequest, callbacks: ChildCallbacks = {}): Promise<ChildRun> {
    if (this.requested) throw new Error('a probe child runs one request');
    this.requested = true;
    this.callbacks = callbacks;
    if (this.child && !this.settled) {
      this.hold(true);
      this.killer = setTimeout(() => this.child?.kill('SIGKILL'), request.timeoutMs + 10_000);
      // Validated here, where zod is loaded anyway: the child loads none (it would cost its start ~40 ms).
      this.child.stdin!.end(JSON.stringify(ChildRequest.parse(request)));
    }
    return this.finished;
  }

  stop(): void {
    if (!this.settled) this.child?.kill();
  }
}

/*
 * The one child kept ready, for the world last asked for: one per process,
 * as there is one agent per Mac user. The CLI never keeps one.
 */
let kept: { world: ChildWorld; key: string } | null = null;
let ready: ProbeChild | null = null;

function replenish(): void {
  if (!kept || (ready?.key === kept.key && ready.waiting)) return;
  ready?.stop();
  ready = new ProbeChild(kept.world);
}

/**
 * Keeps one probe child started and warmed up ahead for `world` (the
 * daemon's, as the suite would run it), so "Run probes now" pays neither a
 * process start nor a warm-up; each run's child is replaced by a fresh one
 * once the run is over. A different world replaces the waiting child at
 * once; null stops it.
 */
export function keepProbeChildReady(world: ChildWorld | null): void {
  if (world && process.versions.electron && world.execPath === process.execPath) world = null;
  kept = world && { world, key: keyOf(world) };
  if (!kept) {
    ready?.stop();
    ready = null;
    return;
  }
  replenish();
}

/** The child kept ready (tests and the benchmark wait on its `ready`). */
export function readyProbeChild(): ProbeChild | null {
  return ready;
}

/** A child for `world`: the one kept ready when it matches and still waits, else a fresh one. */
export function startProbeChild(world: ChildWorld): ProbeChild {
  const key = keyOf(world);
  let child: ProbeChild;
  if (ready && ready.key === key && ready.waiting) {
    child = ready;
    ready = null;
  } else child = new ProbeChild(world);
  // The next child starts after this run, not during it (its start-up would compete with the timed probes),
  // and not after a child that could not run at all.
  void child.finished.then((run) => { if (kept?.key === key && !(run.failure && run.results.length === 0)) replenish(); });
  return child;
}
