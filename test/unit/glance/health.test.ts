import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthTracker, p95, type HealthSample } from '../../../main/glance/health.ts';

const sample = (at: number, ok: boolean, latencyMs: number | null = ok ? 5 : null, ready: HealthSample['ready'] = ok ? { ready: true, failing: [] } : null): HealthSample =>
  ({ at, ok, latencyMs, status: ok ? 200 : null, ready, version: '2026.9.6', uptimeMs: 1, error: ok ? null : 'ECONNREFUSED' });

describe('gateway health states', () => {
  it('computes p95', () => {
    assert.equal(p95([]), null);
    assert.equal(p95(Array.from({ length: 100 }, (_, i) => i + 1)), 95);
  });

  it('is down only after two consecutive failures within 120 s', () => {
    const t = new HealthTracker('u');
    assert.equal(t.add(sample(0, true)).state, 'ok');
    assert.equal(t.add(sample(60_000, false)).state, 'ok', 'one failure is not down yet');
    const down = t.add(sample(120_000, false));
    assert.equal(down.state, 'down');
    assert.equal(down.consecutiveFailures, 2);
    const slow = new HealthTracker('u');
    slow.add(sample(0, false));
    assert.notEqual(slow.add(sample(200_000, false)).state, 'down', 'two failures 200 s apart are not within the window');
  });

  it('is degraded when /readyz says not ready, and when p95 stays at or over 800 ms for 5 probes', () => {
    assert.equal(new HealthTracker('u').add(sample(0, true, 4, { ready: false, failing: ['startup-sidecars'] })).state, 'degraded');
    const t = new HealthTracker('u');
    const states = Array.from({ length: 6 }, (_, i) => t.add(sample(i * 60_000, true, 900)).state);
    assert.deepEqual(states, ['ok', 'ok', 'ok', 'ok', 'degraded', 'degraded']);
  });
});
