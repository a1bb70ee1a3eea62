/**
 * `npm run bench`: every benchmark in turn, then each figure against its
 * target in one table, with the machine it ran on. A figure that misses its
 * target is listed, not hidden; README's Benchmarks section says why.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

const BENCHES: Array<{ script: string; flags?: string[] }> = [
  { script: 'startup.ts' },
  { script: 'status.ts' },
  { script: 'metrics.ts' },
  { script: 'probe.ts' },
  { script: 'agent.ts' },
  // See agent-day.ts for why the young generation is fixed.
  { script: 'agent-day.ts', flags: ['--expose-gc', '--max-semi-space-size=2'] },
  { script: 'watch.ts' },
];

const dir = mkdtempSync(join(tmpdir(), 'clawbar-bench-summary-'));
const summary = join(dir, 'summary.jsonl');
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const machine = `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform} ${release()}, Node ${process.version}, OpenSSL ${process.versions.openssl}`;
const loadBefore = load();
let failed = 0;
try {
  for (const bench of BENCHES) {
    console.log(`\n=== ${bench.script} ===`);
    const result = spawnSync(process.execPath, [...(bench.flags ?? []), join(import.meta.dirname, bench.script)], { stdio: 'inherit', env: { ...process.env, CLAWBAR_BENCH_SUMMARY: summary } });
    if (result.status !== 0) {
      failed++;
      console.log(`${bench.script} stopped with ${result.signal ?? `exit ${result.status}`}`);
    }
  }
  const rows = readFileSync(summary, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { label: string; shown: string; wanted: string; met: boolean });
  console.log(`\n=== summary ===\n${machine}\nload average before ${loadBefore}, after ${load()}\n`);
  for (const row of rows) console.log(`  ${row.label.padEnd(64)} ${row.shown.padStart(9)}   target ${row.wanted.padEnd(9)} ${row.met ? 'met' : 'MISSED'}`);
  const missed = rows.filter((r) => !r.met).length;
  console.log(`\n${rows.length - missed} of ${rows.length} targets met${failed ? `; ${failed} benchmark(s) did not finish` : ''}`);
  process.exitCode = failed ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
