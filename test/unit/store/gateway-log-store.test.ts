import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countRecord, hourOf, lastDayHours, pruneHours, summarise, type GatewayLogState } from '../../../main/store/gateway-log-store.ts';

const fresh = (): GatewayLogState => ({ schema: 'clawbar.gateway-log/1', since: '2026-01-01T00:00:00Z', cursors: [], hours: [], totals: {} });

describe('gateway log counts', () => {
  const now = new Date('2026-01-02T12:30:00Z');
  it('count per hour, layer and host, keep totals, and flag a layer whose last hour jumped', () => {
    const state = fresh();
    // A steady trickle of timeouts yesterday, then a burst of proxy-auth errors now.
    for (let h = 0; h < 24; h++) countRecord(state, hourOf(new Date(now.getTime() - (h + 3) * 3_600_000).toISOString(), now), { layer: 'timeout', host: 'api.openai.com' });
    for (let i = 0; i < 12; i++) countRecord(state, hourOf('2026-01-02T12:10:00Z', now), { layer: 'proxy-auth', host: 'api.openai.com' });
    countRecord(state, hourOf('2026-01-02T11:59:00Z', now), { layer: 'timeout', host: 'api.openai.com' });
    const summary = summarise(state, ['/tmp/openclaw/openclaw-2026-01-02.log'], true, now);
    assert.deepEqual(summary.totals, { timeout: 25, 'proxy-auth': 12 });
    assert.deepEqual(summary.lastHour.byLayer, { 'proxy-auth': 12, timeout: 1 });
    assert.deepEqual(summary.jumps.map((j) => j.layer), ['proxy-auth']);
    assert.deepEqual(summary.lastHour.byHost[0], { host: 'api.openai.com', layer: 'proxy-auth', count: 12 });
    assert.equal(summary.lastDay.byLayer.timeout, 23);
  });
  it('caps hosts per hour and forgets hours older than a week', () => {
    const state = fresh();
    for (let i = 0; i < 40; i++) countRecord(state, '2026-01-02T12', { layer: 'dns', host: `h${i}.example` });
    assert.equal(Object.keys(state.hours[0]!.byHost).length, 21);
    assert.equal(state.hours[0]!.byHost['other|dns'], 20);
    countRecord(state, '2025-12-20T00', { layer: 'dns', host: 'old.example' });
    pruneHours(state, now);
    assert.deepEqual(state.hours.map((h) => h.hour), ['2026-01-02T12']);
  });
  it('lists the hours of the last day for a chart, every clock hour present, adding up to the last day', () => {
    const state = fresh();
    countRecord(state, '2026-01-01T12', { layer: 'dns', host: 'a.example' });
    countRecord(state, '2026-01-01T11', { layer: 'dns', host: 'a.example' });
    countRecord(state, '2026-01-02T09', { layer: 'tls-trust', host: 'b.example' });
    countRecord(state, '2026-01-02T09', { layer: 'tls-trust', host: 'b.example' });
    const hours = lastDayHours(state, now);
    assert.equal(hours.length, 25, '12:30 yesterday to 12:30 today touches 25 clock hours');
    assert.deepEqual([hours[0]!.hour, hours.at(-1)!.hour], ['2026-01-01T12:00:00.000Z', '2026-01-02T12:00:00.000Z']);
    assert.deepEqual(hours[0]!.byLayer, { dns: 1 });
    assert.deepEqual(hours.find((h) => h.hour.startsWith('2026-01-02T09'))!.byLayer, { 'tls-trust': 2 });
    assert.equal(hours.filter((h) => Object.keys(h.byLayer).length === 0).length, 23);
    assert.deepEqual(summarise(state, [], true, now).lastDay.byLayer, { dns: 1, 'tls-trust': 2 });
  });
});
