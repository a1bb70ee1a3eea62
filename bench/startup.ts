/**
 * `npm run bench:startup`: `clawbar --help` against `node -e 0`, the floor
 * any Node program starts from, in the same run and the same environment;
 * and the first run after an install (compile cache empty) for comparison.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../test/helpers/world.ts';
import { peakRssMiB, PEAK_RSS_FLAGS, run, timeMedians, verdict } from './harness.ts';

const ROUNDS = Number(process.env.CLAWBAR_BENCH_ROUNDS ?? 21);

const home = await mkdtemp(join(tmpdir(), 'clawbar-bench-startup-'));
try {
  // The operator's environment, and nothing of this shell's that would tilt either side.
  const env = { HOME: home, PATH: process.env.PATH };
  const started = performance.now();
  await run(process.execPath, [CLI, '--help'], { env });
  const cold = performance.now() - started;
  console.log(`start-up (compile cache: first run fills it, ${cold.toFixed(0)} ms)`);
  const times = await timeMedians(ROUNDS, {
    'node -e 0': () => run(process.execPath, ['-e', '0'], { env }),
    'clawbar --help': () => run(process.execPath, [CLI, '--help'], { env }),
  });
  const { stderr } = await run(process.execPath, [...PEAK_RSS_FLAGS, CLI, '--help'], { env });
  console.log(`  peak RSS of clawbar --help: ${peakRssMiB(stderr).toFixed(1)} MB`);
  verdict('clawbar --help / node -e 0', times['clawbar --help'] / times['node -e 0'], { max: 2, unit: '×' });
} finally {
  await rm(home, { recursive: true, force: true });
}
