import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { step, unsettled, type Observation, type Rule, type Track } from '../../../main/paging/debounce.ts';
import { ruleFor } from '../../../main/paging/rules.ts';
import { PagingSettings } from '../../../main/settings-schema.ts';

const GATEWAY: Rule = ruleFor('gateway', PagingSettings.parse({}));
const look = (at: number, failing: boolean): Observation => ({ key: 'gateway', failing, at: at * 1000, state: failing ? 'down' : 'ok', detail: failing ? 'ECONNREFUSED' : 'answers', fix: 'kickstart', severity: 'critical', traceId: null });

/** Feeds looks (seconds, failing) through one track and returns the transitions in order. */
function run(looks: Array<[number, boolean]>, rule: Rule = GATEWAY): { pages: Array<[number, string]>; track: Track | undefined } {
  let track: Track | undefined;
  const pages: Array<[number, string]> = [];
  for (const [at, failing] of looks) {
    const next = step(track, look(at, failing), rule);
    track = next.track;
    if (next.transition) pages.push([at, next.transition]);
  }
  return { pages, track };
}

describe('debounce (Gatus-style)', () => {
  it('built-in gateway rule is the runbook: two failures within 120 s, two good looks to resolve, no reminders', () => {
    assert.deepEqual(GATEWAY, { enabled: true, failureThreshold: 2, failureWindowMs: 120_000, successThreshold: 2, reminderMs: 0, sendResolved: true });
    assert.equal(ruleFor('exposure', PagingSettings.parse({})).failureWindowMs, null);
  });

  const cases: Array<{ name: string; looks: Array<[number, boolean]>; rule?: Partial<Rule>; pages: Array<[number, string]> }> = [
    { name: 'a steady gateway pages nothing', looks: [[0, false], [60, false], [120, false]], pages: [] },
    { name: 'one blip, then fine: nothing (the flapping case)', looks: [[0, false], [60, true], [120, false], [180, false]], pages: [] },
    { name: 'two failures 60 s apart: one firing page, then one resolved after two good looks', looks: [[0, false], [60, true], [120, true], [180, true], [240, false], [300, false], [360, false]], pages: [[120, 'firing'], [300, 'resolved']] },
    { name: 'failures 130 s apart are not "within 120 s"; the next pair is', looks: [[0, true], [130, true], [190, true]], pages: [[190, 'firing']] },
    { name: 'a good look between failures restarts the count', looks: [[0, true], [30, false], [60, true], [90, true]], pages: [[90, 'firing']] },
    { name: 'one good look while firing is not yet resolved; a failure after it keeps firing silently', looks: [[0, true], [30, true], [60, false], [90, true], [120, false], [150, false]], pages: [[30, 'firing'], [150, 'resolved']] },
    { name: 'reminders every interval while still failing', rule: { reminderMs: 100_000 }, looks: [[0, true], [30, true], [90, true], [130, true], [200, true], [240, true]], pages: [[30, 'firing'], [130, 'reminder'], [240, 'reminder']] },
    { name: 'threshold 1 and no window pages on the first failure', rule: { failureThreshold: 1, failureWindowMs: null, successThreshold: 1 }, looks: [[0, true], [600, false]], pages: [[0, 'firing'], [600, 'resolved']] },
    { name: 'a disabled check never pages', rule: { enabled: false }, looks: [[0, true], [10, true], [20, true]], pages: [] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(run(c.looks, { ...GATEWAY, ...c.rule }).pages, c.pages));
  }

  it('a track says from, to and since for the pages it makes', () => {
    const { track } = run([[0, false], [60, true], [120, true]]);
    assert.equal(track?.status, 'firing');
    assert.equal(track?.okState, 'ok');
    assert.equal(track?.badState, 'down');
    assert.equal(track?.failingSince, 60_000);
    const after = run([[0, false], [60, true], [120, true], [180, false]]);
    assert.equal(after.track?.status, 'recovering');
    assert.equal(after.track?.streakSince, 180_000);
    assert.ok(unsettled(after.track));
    assert.ok(unsettled(run([[0, true]]).track), 'a first failure deserves a prompt second look');
    assert.ok(!unsettled(run([[0, false]]).track));
  });

  it('settings layer over the built-in rule: defaults, then the check', () => {
    const paging = PagingSettings.parse({ defaults: { successThreshold: 3, reminderIntervalSec: 3600 }, checks: { gateway: { failureWindowSec: null, sendResolved: false } } });
    assert.deepEqual(ruleFor('gateway', paging), { enabled: true, failureThreshold: 2, failureWindowMs: null, successThreshold: 3, reminderMs: 3_600_000, sendResolved: false });
    assert.equal(ruleFor('clock', paging).sendResolved, true);
    assert.throws(() => PagingSettings.parse({ defaults: { failureThreshold: 0 } }));
    assert.throws(() => PagingSettings.parse({ checks: { gateway: { bogus: 1 } } }));
  });
});
