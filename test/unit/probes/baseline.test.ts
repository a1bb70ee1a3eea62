import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Phases, ProbeReport, ProbeResult } from '../../../main/contract.ts';
import { BASELINE_NAME, compareBaseline, median, toBaseline, type RecentRuns } from '../../../main/probes/baseline.ts';

const URL_A = 'https://api.example.com/';
const phases = (tls: number, ttfb: number): Phases => ({ dnsMs: 2, connectMs: 20, proxyConnectMs: null, tlsMs: tls, ttfbMs: ttfb, totalMs: 22 + tls + ttfb });

function result(over: Partial<ProbeResult> = {}): ProbeResult {
  return {
    target: URL_A, name: null, kind: 'custom', ok: true, layer: null, error: null, phases: phases(30, 80), via: 'direct', route: { proxy: null, rule: 'direct' },
    family: 4, address: '203.0.113.7', dns: null, families: [], proxyStatus: null,
    tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', subject: 'CN=api.example.com', issuer: 'CN=Example CA', san: [], validFrom: null, validTo: null, daysToExpiry: 60, authorized: true, authorizationError: null, servername: 'api.example.com' },
    http: { status: 200, date: null, server: null }, websocket: null, ready: null, explanation: null, fix: null, notes: [], ...over,
  };
}

function report(results: ProbeResult[], startedAt: string): ProbeReport {
  return {
    schema: 'clawbar.probe/1', traceId: startedAt, startedAt, overall: 'ok', environment: { source: 'daemon', plistPath: null },
    runtime: { execPath: '/opt/homebrew/bin/node', nodeVersion: 'v24.21.0', openssl: '3.0.17', daemonNode: null, note: null },
    results, summary: { total: results.length, ok: results.length, failed: 0, byLayer: {}, durationMs: 1 }, findings: [],
  };
}

const run = (at: string, p: Phases): RecentRuns[number] => ({ at, phases: new Map([[URL_A, p]]) });
const base = toBaseline('pre-upgrade', report([result()], '2026-01-01T10:00:00Z'), [{ url: URL_A, kind: 'custom', name: null, sni: null, pin: null }], new Date('2026-01-01T10:00:05Z'));

describe('probe baselines', () => {
  it('names are plain file names', () => {
    for (const ok of ['pre-upgrade', 'node24.21', 'a_b']) assert.ok(BASELINE_NAME.test(ok), ok);
    for (const bad of ['../x', 'a/b', '.hidden', '', 'a\\b', 'x'.repeat(65)]) assert.ok(!BASELINE_NAME.test(bad), bad);
  });

  it('one slow run is noise; slower over the last few runs since the baseline is a regression', () => {
    const latest = report([result({ phases: phases(30, 600) })], '2026-01-02T10:00:00Z');
    const noisy = compareBaseline(base, latest, [run('2026-01-02T10:00:00Z', phases(30, 600)), run('2026-01-01T12:00:00Z', phases(30, 82)), run('2026-01-01T11:00:00Z', phases(31, 79))], new Date());
    assert.equal(noisy.regressions, 0);
    const slow = compareBaseline(base, latest, [run('2026-01-02T10:00:00Z', phases(30, 600)), run('2026-01-02T09:00:00Z', phases(30, 590)), run('2026-01-01T11:00:00Z', phases(31, 79))], new Date());
    const ttfb = slow.targets[0]!.phases.find((p) => p.phase === 'ttfbMs')!;
    assert.deepEqual([ttfb.baselineMs, ttfb.recentMs, ttfb.runs, ttfb.slower], [80, 590, 3, true]);
    assert.equal(slow.regressions, 1);
  });

  it('the first run after the baseline counts alone; runs before the baseline do not count', () => {
    const latest = report([result({ phases: phases(400, 80) })], '2026-01-02T10:00:00Z');
    const c = compareBaseline(base, latest, [run('2026-01-02T10:00:00Z', phases(400, 80)), run('2026-01-01T09:00:00Z', phases(30, 80))], new Date());
    assert.equal(c.targets[0]!.phases.find((p) => p.phase === 'tlsMs')!.slower, true);
  });

  it('a small absolute change on a fast path is jitter, not a regression', () => {
    const latest = report([result({ phases: phases(3, 8) })], '2026-01-02T10:00:00Z');
    const fast = toBaseline('fast', report([result({ phases: phases(1, 2) })], '2026-01-01T10:00:00Z'), [], new Date('2026-01-01T10:00:05Z'));
    assert.equal(compareBaseline(fast, latest, [run('2026-01-02T10:00:00Z', phases(3, 8))], new Date()).regressions, 0);
  });

  it('a new issuer, protocol, cipher or route is a regression even when as fast; a proxy password is not a route', () => {
    const recert = report([result({ tls: { ...result().tls!, issuer: 'CN=Other CA', protocol: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256' }, via: 'proxy', route: { proxy: 'http://ops:secret@proxy:3128', rule: 'x' } })], '2026-01-02T10:00:00Z');
    const c = compareBaseline(base, recert, [], new Date());
    assert.deepEqual(c.targets[0]!.changes.map((x) => x.what), ['tls-protocol', 'tls-cipher', 'tls-issuer', 'route']);
    assert.equal(c.targets[0]!.changes.find((x) => x.what === 'route')!.after, 'proxy proxy:3128');
    assert.equal(c.regressions, 1);
  });

  it('a failing target is a result change; a target only on one side is reported, not a regression', () => {
    const failed = report([result({ ok: false, layer: 'tls-trust', tls: null }), result({ target: 'https://new.example.com/' })], '2026-01-02T10:00:00Z');
    const c = compareBaseline(base, failed, [], new Date());
    assert.deepEqual(c.targets.map((t) => [t.target, t.presence, t.regressed]), [[URL_A, 'both', true], ['https://new.example.com/', 'new', false]]);
    assert.deepEqual(c.targets[0]!.changes, [{ what: 'result', before: 'ok', after: 'failed (tls-trust)' }]);
    assert.equal(median([3, 1, 2, 10]), 2.5);
  });
});
