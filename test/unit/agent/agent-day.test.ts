import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startAgentDay, type Work } from '../../helpers/agent-day.ts';

const HOUR = 3_600_000;
const minus = (a: Work, b: Work) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - b[k as keyof Work]])) as unknown as Work;

/*
 * A day of the agent in simulated time (node:test mock timers, every
 * schedule at its default): awake 8 hours, asleep 8, awake 8 again. Counts
 * work and what the agent holds, never how long anything took (the memory
 * figure of the same day is `npm run bench:agent`).
 */
describe('the agent over a simulated day', { timeout: 900_000 }, () => {
  it('checks on schedule, does nothing while the Mac sleeps, and holds no more timers or listeners in its last hours than in its first', async () => {
    const day = await startAgentDay();
    let stopped = false;
    try {
      // Held timers and listeners at each awake hour's end: a leak grows with the runs, a check caught between runs does not.
      const held: Array<{ timers: number; listeners: number }> = [];
      const hours = async (n: number) => {
        for (let i = 0; i < n; i++) {
          await day.advance(HOUR);
          held.push({ timers: day.liveTimers(), listeners: day.listeners() });
        }
      };
      await hours(1);
      const first = day.work();
      assert.ok(held[0]!.timers > 0, 'the schedules are timers');
      assert.ok(first.healthSamples >= 59 && first.healthSamples <= 61, `one health sample a minute in the first hour, got ${first.healthSamples}`);
      assert.equal(first.probeRuns, 2, 'probes at start and after an hour');

      await hours(7);
      await day.agent.pause();
      const asleep = day.work();
      assert.equal(day.liveTimers(), 0, `no timers while asleep:\n${day.timerOrigins().join('\n--\n')}`);
      await day.advance(8 * HOUR);
      assert.deepEqual(day.work(), asleep, 'no commands, gateway requests, SNTP queries or probe runs while asleep');
      assert.equal(day.liveTimers(), 0);

      await day.agent.resume();
      await hours(8);
      const awake = minus(day.work(), asleep);
      // Woken: health, listeners and clock at once, then on their intervals; probes keep their hour.
      assert.ok(awake.healthSamples >= 470 && awake.healthSamples <= 482, `one health sample a minute for 8 hours, got ${awake.healthSamples}`);
      assert.ok(awake.probeRuns >= 7 && awake.probeRuns <= 8, `a probe run an hour after waking, got ${awake.probeRuns}`);
      const most = (rows: typeof held, key: 'timers' | 'listeners') => Math.max(...rows.map((r) => r[key]));
      const least = (rows: typeof held, key: 'timers' | 'listeners') => Math.min(...rows.map((r) => r[key]));
      // An hourly look may catch a check in flight (its timeout timers); a leak is held in every later hour, so even the evening's quietest hour shows it.
      const [morning, evening] = [held.slice(0, 8), held.slice(8)];
      assert.ok(least(evening, 'timers') <= most(morning, 'timers'), `timers held per hour grew: ${JSON.stringify(held.map((h) => h.timers))}\n${day.timerOrigins().join('\n--\n')}`);
      assert.ok(least(evening, 'listeners') <= most(morning, 'listeners'), `listeners per hour grew: ${JSON.stringify(held.map((h) => h.listeners))}`);

      await day.stop();
      stopped = true;
      assert.equal(day.liveTimers(), 0, `timers left after stop:\n${day.timerOrigins().join('\n--\n')}`);
    } finally {
      if (!stopped) await day.stop();
    }
  });
});
