/**
 * `npm run bench:agent` (second half): the agent's memory over 24 simulated
 * hours — the day of test/unit/agent/agent-day.test.ts (mock timers, every
 * schedule at its default, awake 8 h, asleep 8 h, awake 8 h), with resident
 * memory and the heap read after a full garbage collection at the end of
 * each awake hour, the first hours' against the last hours'.
 *
 * Run with --expose-gc and a fixed young generation (--max-semi-space-size):
 * the simulation packs a day's allocations into a minute or two, and at that
 * rate V8 grows its young generation to the maximum (64, then 128 MB here) —
 * heap sizing the real agent, one check a minute, never provokes. Pinned,
 * resident memory follows what the agent keeps.
 */
import { startAgentDay } from '../test/helpers/agent-day.ts';
import { loopbackOnly, median, verdict } from './harness.ts';

loopbackOnly();

const HOUR = 3_600_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc (npm run bench:agent does)');

const memory = () => {
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss / 1048576, heap: m.heapUsed / 1048576 };
};

const day = await startAgentDay();
try {
  const started = performance.now();
  // Read after each awake hour; a few hours at each end, so one page V8 or malloc happens to hold at one reading does not decide.
  const readings: Array<{ hour: number; rss: number; heap: number }> = [];
  for (let hour = 1; hour <= 24; hour++) {
    if (hour === 9) await day.agent.pause();
    if (hour === 17) await day.agent.resume();
    await day.advance(HOUR);
    if (hour <= 8 || hour > 16) readings.push({ hour, ...memory() });
  }
  const mid = (rows: typeof readings, key: 'rss' | 'heap') => median(rows.map((r) => r[key]));
  const [morning, evening] = [readings.filter((r) => r.hour <= 3), readings.filter((r) => r.hour >= 22)];
  const work = day.work();
  console.log(`agent over 24 simulated hours, asleep from hour 8 to 16 (${((performance.now() - started) / 1000).toFixed(0)} s real): ${work.healthSamples} health samples, ${work.probeRuns} probe runs, ${work.commands} commands, ${work.sntpQueries} SNTP queries`);
  console.log(`  resident MB after hours ${readings.map((r) => `${r.hour}: ${r.rss.toFixed(1)}`).join(', ')}`);
  console.log(`  heap MB after hours ${readings.map((r) => `${r.hour}: ${r.heap.toFixed(1)}`).join(', ')}`);
  verdict('agent, 24 simulated hours: resident memory growth (hours 1-3 to 22-24)', mid(evening, 'rss') - mid(morning, 'rss'), { max: 5, unit: 'MB' });
  verdict('agent, 24 simulated hours: heap growth after GC (hours 1-3 to 22-24)', mid(evening, 'heap') - mid(morning, 'heap'), { max: 5, unit: 'MB' });
} finally {
  await day.stop();
}
