import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UpgradeCheck } from '../../../main/contract.ts';
import { upgradeFinding } from '../../../main/agent/upgrades.ts';
import type { AgentState } from '../../../main/ipc-contract.ts';
import { noticesBetween } from '../../../main/watch/owner.ts';

/** A comparison after node a → b that found the same regression, made at `at`. */
const check = (at: string): UpgradeCheck => ({
  at, changes: [{ what: 'node', before: { path: '/usr/local/bin/node', version: 'v24.1.0' }, after: { path: '/usr/local/bin/node', version: 'v24.2.0' } }],
  baseline: 'pre-upgrade', traceId: `run-${at}`, regressions: 1, lines: ['https://api.example.com/: tls 30 → 300 ms (median of 3)'], error: null,
});
/** The parts of a watcher's state the notices look at. */
const state = (at: string | null): AgentState => ({ gateway: null, listeners: null, clock: null, lastProbe: null, findings: at ? [upgradeFinding(check(at))!] : [] }) as unknown as AgentState;

/** The app's notices from the watcher's states, for the automatic comparison after an upgrade. */
describe('the upgrade notice of an app that follows a watcher', () => {
  const upgradeNotices = (previous: AgentState | null, next: AgentState) => noticesBetween(previous, next).filter((n) => n.id === 'probes.upgrade-regression');

  it('a comparison that appears is announced once', () => {
    assert.equal(upgradeNotices(state(null), state('2026-12-02T08:00:00.000Z')).length, 1);
    assert.equal(upgradeNotices(state('2026-12-02T08:00:00.000Z'), state('2026-12-02T08:00:00.000Z')).length, 0);
  });

  it('a state with none before it (a watcher just restarted, or just followed) announces no comparison it already held', () => {
    assert.deepEqual(upgradeNotices(null, state('2026-11-28T08:00:00.000Z')), []);
  });

  it('a later comparison with the same result is announced: it is another comparison', () => {
    assert.equal(upgradeNotices(state('2026-11-28T08:00:00.000Z'), state('2026-12-02T08:00:00.000Z')).length, 1);
  });
});
