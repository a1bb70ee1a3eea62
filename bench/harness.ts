import { execFile, spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { promisify } from 'node:util';

export const run = promisify(execFile);

/**
 * As root, re-runs this benchmark inside a fresh network namespace with only
 * loopback up, so nothing it starts (the gateway's own start-up fetches
 * included) can reach beyond this machine. Returns only inside the namespace
 * or when not root.
 */
export function loopbackOnly(): void {
  if (process.getuid?.() !== 0 || process.env.CLAWBAR_BENCH_NETNS) return;
  const result = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, CLAWBAR_BENCH_NETNS: '1' } });
  process.exit(result.status ?? 1);
}

export const median = (values: number[]) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ms`;

/**
 * Times each piece of work `rounds` times, taking turns (a, b, a, b, …) so a
 * burst of load elsewhere on the machine hits every side alike, and prints
 * and returns each side's median wall time.
 */
export async function timeMedians<K extends string>(rounds: number, work: Record<K, () => Promise<unknown>>): Promise<Record<K, number>> {
  const samples = Object.fromEntries(Object.keys(work).map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < rounds; i++) {
    for (const key of Object.keys(work) as K[]) {
      const started = performance.now();
      await work[key]();
      samples[key].push(performance.now() - started);
    }
  }
  const medians = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v as number[])])) as Record<K, number>;
  for (const key of Object.keys(work) as K[]) console.log(`  ${key.padEnd(44)} ${ms(medians[key]).padStart(9)}  (median of ${rounds})`);
  return medians;
}

export interface Target {
  /** The value must be at most this… */
  max?: number;
  /** …or at least this. */
  min?: number;
  /** '×' a ratio, MB or ms a figure, 'of' a count of things that passed (value of min). */
  unit: '×' | 'MB' | 'ms' | 'of';
}

/**
 * Prints one measured figure against its target, and records it for the
 * summary `npm run bench` prints at the end (CLAWBAR_BENCH_SUMMARY names the file).
 */
export function verdict(label: string, value: number, target: Target): boolean {
  const met = (target.max === undefined || value <= target.max) && (target.min === undefined || value >= target.min);
  const shown = target.unit === '×' ? `${value.toFixed(2)}×` : target.unit === 'of' ? `${value} of ${target.min}` : `${value.toFixed(1)} ${target.unit}`;
  const bound = (n: number) => (target.unit === '×' ? `${n}×` : target.unit === 'of' ? `${n}` : `${n} ${target.unit}`);
  const wanted = target.unit === 'of' ? `all ${target.min}` : target.max !== undefined ? `≤ ${bound(target.max)}` : `≥ ${bound(target.min!)}`;
  console.log(`  ${label.padEnd(60)} ${shown.padStart(9)}   target ${wanted.padEnd(9)} ${met ? 'met' : 'MISSED'}`);
  if (process.env.CLAWBAR_BENCH_SUMMARY) appendFileSync(process.env.CLAWBAR_BENCH_SUMMARY, `${JSON.stringify({ label, value, shown, wanted, met })}\n`);
  return met;
}

/**
 * Node flags that make a process report its own peak resident set size
 * (getrusage's maxrss, read as it exits) on stderr, after a marker line.
 */
export const PEAK_RSS_FLAGS = ['--import', `data:text/javascript,${encodeURIComponent("import { writeSync } from 'node:fs'; process.on('exit', () => writeSync(2, `\\nclawbar-bench-peak-rss-kib=${process.resourceUsage().maxRSS}\\n`));")}`];

/** The peak RSS (MiB) a process reported through PEAK_RSS_FLAGS. */
export function peakRssMiB(stderr: string): number {
  const match = /clawbar-bench-peak-rss-kib=(\d+)/.exec(stderr);
  if (!match) throw new Error(`no peak RSS reported:\n${stderr.slice(-500)}`);
  return Number(match[1]) / 1024;
}

/** Runs a command and resolves with its output whatever its exit code (a warning exit is still an answer). */
export function runAnyway(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  return run(command, args, { ...options, maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => ({ stdout, stderr, code: 0 }),
    (error: { stdout?: string; stderr?: string; code?: number }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '', code: typeof error.code === 'number' ? error.code : -1 }),
  );
}
