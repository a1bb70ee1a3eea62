import { describeFailure, type Executor } from '../system/exec.ts';

/** What `launchctl print <domain>/<label>` says about a loaded job. */
export interface LaunchctlJob {
  path: string | null;
  state: string | null;
  running: boolean;
  pid: number | null;
  lastExitCode: number | null;
  lastSignal: string | null;
  program: string | null;
  arguments: string[];
  workingDirectory: string | null;
  environment: Record<string, string>;
  defaultEnvironment: Record<string, string>;
  inheritedEnvironment: Record<string, string>;
  runs: number | null;
  /** `job state = spawn failed` while `state` still reads like a job waiting to start (`spawn scheduled`). */
  jobState: string | null;
  /** `last exit reason = OS_REASON_CODESIGNING`: launchd's reason when the job never ran (no exit code then). */
  lastExitReason: string | null;
}

export type LaunchctlState =
  | { status: 'loaded'; target: string; job: LaunchctlJob }
  | { status: 'not-loaded'; target: string; message: string }
  | { status: 'unavailable'; target: string; message: string }
  | { status: 'error'; target: string; message: string };

interface Block {
  values: Map<string, string>;
  blocks: Map<string, Block>;
  items: string[];
}

const MAX_LINES = 20_000;
/** `launchctl print` of one job is a few KB; the executor caps it at 2 MB and so does the parser. */
export const MAX_PRINT_BYTES = 2 * 1024 * 1024;

/** A stray carriage return inside a line makes it an item, as launchctl never prints one in a value. */
const LINE_BREAK = /[\r\u2028\u2029]/;

/** The block name of `name = {` / `name => {`, or null when the line opens no block. */
function blockName(line: string): string | null {
  if (!line.endsWith('{')) return null;
  const head = line.slice(0, -1).trimEnd();
  const name = head.endsWith('=>') ? head.slice(0, -2).trimEnd() : head.endsWith('=') ? head.slice(0, -1).trimEnd() : null;
  return name === null || LINE_BREAK.test(name) ? null : name;
}

/** `key => value` where the key has no blanks (environment blocks). */
function arrowPair(line: string): [string, string] | null {
  const at = line.indexOf(' => ');
  if (at <= 0 || /\s/.test(line.slice(0, at)) || LINE_BREAK.test(line.slice(at))) return null;
  return [line.slice(0, at), line.slice(at + 4)];
}

/** `key = value` where the key holds no `=`. */
function equalsPair(line: string): [string, string] | null {
  const at = line.indexOf(' = ');
  if (at <= 0 || line.slice(0, at).includes('=') || LINE_BREAK.test(line.slice(at))) return null;
  return [line.slice(0, at), line.slice(at + 3)];
}

/**
 * Parses launchctl's TAB-indented `key = value` / `name = {` / `K => V` layout
 * into nested blocks. Plain string searches instead of regular expressions
 * with adjacent blank-matching parts, which were quadratic on a value padded
 * with thousands of spaces.
 */
export function parsePrintBlocks(text: string): Block {
  const root: Block = { values: new Map(), blocks: new Map(), items: [] };
  const stack: Block[] = [root];
  const bounded = text.length > MAX_PRINT_BYTES ? text.slice(0, MAX_PRINT_BYTES) : text;
  for (const rawLine of bounded.split('\n', MAX_LINES)) {
    const line = rawLine.trim();
    if (!line) continue;
    const top = stack[stack.length - 1]!;
    if (line === '}') {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const open = blockName(line);
    if (open !== null) {
      const child: Block = { values: new Map(), blocks: new Map(), items: [] };
      if (!top.blocks.has(open)) top.blocks.set(open, child);
      stack.push(child);
      continue;
    }
    const pair = arrowPair(line) ?? equalsPair(line);
    if (pair) { top.values.set(pair[0], pair[1]); continue; }
    top.items.push(line);
  }
  return root;
}

const toNumber = (value: string | undefined): number | null => {
  if (value === undefined) return null;
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : null;
};

/** Reads the job description out of `launchctl print` output. */
export function parseLaunchctlPrint(text: string): LaunchctlJob | null {
  const root = parsePrintBlocks(text);
  const [, job] = [...root.blocks.entries()].find(([name]) => /^(gui|user|system|login|pid)\//.test(name)) ?? [];
  if (!job) return null;
  const env = (name: string) => Object.fromEntries(job.blocks.get(name)?.values ?? []);
  const state = job.values.get('state') ?? null;
  const pid = toNumber(job.values.get('pid'));
  return {
    path: job.values.get('path') ?? null,
    state,
    running: state === 'running' || pid !== null,
    pid,
    lastExitCode: toNumber(job.values.get('last exit code')),
    lastSignal: job.values.get('last terminating signal') ?? null,
    program: job.values.get('program') ?? null,
    arguments: job.blocks.get('arguments')?.items ?? [],
    workingDirectory: job.values.get('working directory') ?? null,
    environment: env('environment'),
    defaultEnvironment: env('default environment'),
    inheritedEnvironment: env('inherited environment'),
    runs: toNumber(job.values.get('runs')),
    jobState: job.values.get('job state') ?? null,
    lastExitReason: job.values.get('last exit reason') ?? null,
  };
}

/** Asks launchd for the live state of a job through the executor. */
export async function queryLaunchctl(exec: Executor, target: string): Promise<LaunchctlState> {
  const result = await exec('launchctl', ['print', target], { timeoutMs: 5_000, maxBytes: 2 * 1024 * 1024 });
  if (!result.available) return { status: 'unavailable', target, message: describeFailure(result) };
  const output = `${result.stdout}\n${result.stderr}`;
  if (/Could not find service|Could not find domain/.test(output)) {
    return { status: 'not-loaded', target, message: output.trim().split('\n').filter((l) => l !== 'Bad request.').join(' ') };
  }
  if (result.code !== 0) return { status: 'error', target, message: describeFailure(result) };
  const job = parseLaunchctlPrint(result.stdout);
  if (!job) return { status: 'error', target, message: 'launchctl print gave output clawbar could not read' };
  return { status: 'loaded', target, job };
}
