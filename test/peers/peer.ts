import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const OUTPUT_DIR = resolve(import.meta.dirname, '..', '..', 'test-output', 'peers');

/** A free TCP port on loopback, picked by the kernel. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/** True once something accepts a TCP connection on host:port (closed again at once): ready for a peer whose only sign of life is a listening port. */
export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1_000 });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

/** Polls `check` until it returns true, at most `timeoutMs`, every `intervalMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 200): Promise<number> {
  const started = Date.now();
  for (let attempt = 0; Date.now() - started < timeoutMs; attempt++) {
    // A check that never settles must not hold the loop past its deadline.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs - (Date.now() - started))); });
    const passed = await Promise.race([check().catch(() => false), deadline]);
    clearTimeout(timer);
    if (passed) return Date.now() - started;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms`);
}

export interface PeerOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * A real server process started for a test: output goes to a log file under
 * test-output/peers, and the log's tail is shown when the peer fails to come up.
 */
export class Peer {
  readonly name: string;
  readonly logPath: string;
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> | null = null;
  private readonly options: PeerOptions;

  constructor(options: PeerOptions) {
    this.options = options;
    this.name = options.name;
    this.logPath = join(OUTPUT_DIR, `${options.name}-${process.pid}-${Date.now()}.log`);
  }

  get pid(): number | undefined { return this.child?.pid; }

  async start(): Promise<void> {
    await mkdir(OUTPUT_DIR, { recursive: true });
    const log = createWriteStream(this.logPath);
    const child = spawn(this.options.command, this.options.args, { env: this.options.env, cwd: this.options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.child = child;
    this.exited = new Promise((r) => {
      child.on('exit', (code) => r(code));
      child.on('error', () => r(-1));
    });
  }

  /** Waits until `check` passes; on timeout or early exit, throws with the log tail. */
  async ready(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
    let died = false;
    void this.exited?.then(() => { died = true; });
    try {
      return await waitFor(this.name, async () => {
        if (died) throw new Error(`${this.name} exited before it was ready`);
        return check();
      }, timeoutMs);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- ${this.logPath} (tail) ---\n${await this.tail()}`);
    }
  }

  async tail(lines = 40): Promise<string> {
    return (await readFile(this.logPath, 'utf8').catch(() => '')).split('\n').slice(-lines).join('\n');
  }

  /** SIGTERM to the whole process group, SIGKILL after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const group = -child.pid!;
    try { process.kill(group, 'SIGTERM'); } catch { return; }
    const timer = setTimeout(() => { try { process.kill(group, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
