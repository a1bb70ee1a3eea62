import { spawn } from 'node:child_process';

/**
 * Commands that exist only on macOS. When one is missing the caller reports the
 * capability as unavailable instead of failing: on Linux (tests, CI) they are
 * replaced by recorded outputs placed on PATH.
 */
export const MACOS_ONLY = new Set([
  'launchctl', 'security', 'scutil', 'sntp', 'systemsetup', 'plutil',
  'socketfilterfw', 'networksetup', 'dscl', 'osascript', 'sw_vers',
]);

export interface ExecOptions {
  /** Kill the command after this many milliseconds. */
  timeoutMs?: number;
  /** Stop reading (and kill the command) once stdout+stderr exceed this many bytes. */
  maxBytes?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
}

export interface ExecResult {
  command: string;
  args: string[];
  /** false when the command does not exist here (ENOENT). */
  available: boolean;
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** true when output went over maxBytes and the command was stopped. */
  truncated: boolean;
  durationMs: number;
}

export type Executor = (command: string, args: string[], options?: ExecOptions) => Promise<ExecResult>;

// Generous enough for `lsof` on a busy Mac, small enough that hostile output
// cannot exhaust memory.
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * The one way clawbar runs an external command: no shell, bounded time and
 * output, and a missing binary reported as `available: false` rather than thrown.
 * Commands get `baseEnv` unless a call names its own environment; without
 * either they inherit this process's.
 */
export const createExecutor = (baseEnv?: Readonly<Record<string, string | undefined>>): Executor => (command, args, options = {}) => {
  const started = performance.now();
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    let truncated = false;
    let timedOut = false;
    let settled = false;
    const finish = (partial: Partial<ExecResult>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        command, args, available: true, code: null, signal: null,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut, truncated,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ...partial,
      });
    };
    const child = spawn(command, args, {
      env: options.env ?? (baseEnv ? { ...baseEnv } : undefined),
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const collect = (sink: Buffer[]) => (chunk: Buffer) => {
      if (truncated) return;
      bytes += chunk.length;
      if (bytes > maxBytes) {
        truncated = true;
        sink.push(chunk.subarray(0, chunk.length - (bytes - maxBytes)));
        child.kill('SIGKILL');
        return;
      }
      sink.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish({ available: error.code !== 'ENOENT', code: null, stderr: error.message });
    });
    child.on('close', (code, signal) => finish({ code, signal }));
  });
};

/** The executor for tests and tools that run in this process's own environment. */
export const execCommand: Executor = createExecutor();

/** A one-line reason for a failed or unavailable command, for findings and errors. */
export function describeFailure(result: ExecResult): string {
  if (!result.available) {
    return MACOS_ONLY.has(result.command)
      ? `${result.command} is not available on this system (macOS only)`
      : `${result.command} is not installed`;
  }
  if (result.timedOut) return `${result.command} did not finish in time`;
  const text = (result.stderr || result.stdout).trim().split('\n').slice(0, 2).join(' ');
  return `${result.command} exited with ${result.code ?? result.signal}${text ? `: ${text}` : ''}`;
}
