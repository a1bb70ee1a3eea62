import { spawnSync } from 'node:child_process';

/**
 * As root, re-runs this benchmark inside a fresh network namespace with only
 * loopback up, so nothing it starts (the gateway's own start-up fetches
 * included) can reach beyond this machine. Returns only inside the namespace
 * or when not root.
 */
export function loopbackOnly(): void {
  if (process.getuid?.() !== 0 || process.env.CLAWBAR_BENCH_NETNS) return;
  const result = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, CLAWBAR_BENCH_NETNS: '1' } });
  process.exit(result.status ?? 1);
}

export const median = (values: number[]) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Runs `work` `rounds` times in sequence and prints and returns the median wall time. */
export async function timeMedian(label: string, rounds: number, work: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  const value = median(samples);
  console.log(`  ${label.padEnd(36)} ${value.toFixed(0).padStart(6)} ms  (median of ${rounds})`);
  return value;
}
