/**
 * `npm run bench:agent` (second half): the agent's memory over 24 simulated
 * hours — the day of test/unit/agent/agent-day.test.ts (mock timers, every
 * schedule at its default, awake 8 h, asleep 8 h, awake 8 h), with resident
 * memory and the heap read after a full garbage collection at the end of the
 * first hour and at the end of the day.
 *
 * Run with --expose-gc and a fixed young generation (--max-semi-space-size):
 * the simulation packs a day's allocations into a minute or two, and at that
 * rate V8 grows its young generation to the maximum (64, then 128 MB here) —
 * heap sizing the real agent, one check a minute, never provokes. Pinned,
 * resident memory follows what the agent keeps.
 */
import { startAgentDay } from '../test/helpers/agent-day.ts';
import { loopbackOnly, verdict } from './harness.ts';

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
  await day.advance(HOUR);
  const first = memory();
  await day.advance(7 * HOUR);
  await day.agent.pause();
  await day.advance(8 * HOUR);
  await day.agent.resume();
  await day.advance(8 * HOUR);
  const last = memory();
  const work = day.work();
  console.log(`agent over 24 simulated hours (${((performance.now() - started) / 1000).toFixed(0)} s real): ${work.healthSamples} health samples, ${work.probeRuns} probe runs, ${work.commands} commands, ${work.sntpQueries} SNTP queries`);
  console.log(`  after hour 1:  resident ${first.rss.toFixed(1)} MB, heap ${first.heap.toFixed(1)} MB`);
  console.log(`  after hour 24: resident ${last.rss.toFixed(1)} MB, heap ${last.heap.toFixed(1)} MB`);
  verdict('agent, 24 simulated hours: resident memory growth (hour 1 to 24)', last.rss - first.rss, { max: 5, unit: 'MB' });
  verdict('agent, 24 simulated hours: heap growth after GC (hour 1 to 24)', last.heap - first.heap, { max: 5, unit: 'MB' });
} finally {
  await day.stop();
}
