import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClockReport, HealthReport, ListenersReport, ProbeReport } from '../../../main/contract.ts';
import { clockLine, egressLine, gatewayLine, overallOf } from '../../../main/agent/lines.ts';
import { clockNotice, healthNotice, listenerNotices, probeNotice } from '../../../main/agent/notices.ts';

const health = (over: Partial<HealthReport>): HealthReport => ({ state: 'ok', url: 'http://127.0.0.1:18789/health', latencyMs: 1.5, p95Ms: 2, failing: [], status: 200, error: null, version: '2026.9.6', uptimeMs: 1000, consecutiveFailures: 0, ...over });
const listener = (address: string, severity: 'ok' | 'warn' | 'critical', port = 18789) => ({ address, port, family: 4 as const, process: 'openclaw-', pid: 7, user: null, exposure: address === '127.0.0.1' ? 'loopback' as const : 'wildcard' as const, network: null, severity, note: null });
const listeners = (items: ReturnType<typeof listener>[]): ListenersReport => ({ state: 'ok', items, source: 'lsof', partial: null, firewall: { state: 'unknown', detail: null }, baseline: { path: '/b', savedAt: null, changes: [] }, findings: [] });
const clock = (state: ClockReport['state'], offsetMs: number | null): ClockReport => ({ state, offsetMs, roundTripMs: 1, stratum: 2, server: 'time', method: 'sntp', samples: 3, sntpError: null, breaks: [{ what: 'JWT validation (typical 60 s leeway)', limitMs: 60_000, broken: (offsetMs ?? 0) >= 60_000 }], findings: [] });
const probe = (traceId: string, layers: Array<string | null>): ProbeReport => ({
  schema: 'clawbar.probe/1', traceId, startedAt: '', overall: layers.some(Boolean) ? 'critical' : 'ok', environment: { source: 'daemon', plistPath: null },
  runtime: { execPath: '', nodeVersion: '', openssl: '', daemonNode: null, note: null },
  results: layers.map((layer, i) => ({ target: `https://t${i}/`, name: null, kind: 'custom', ok: layer === null, layer, error: null, phases: { dnsMs: null, connectMs: null, proxyConnectMs: null, tlsMs: null, ttfbMs: null, totalMs: 1 }, via: 'direct', route: { proxy: null, rule: '' }, family: null, address: null, dns: null, families: [], proxyStatus: null, tls: null, http: null, websocket: null, ready: null, explanation: null, fix: null, notes: [] }) as ProbeReport['results'][number]),
  summary: { total: layers.length, ok: layers.filter((l) => l === null).length, failed: layers.filter(Boolean).length, byLayer: Object.fromEntries(layers.filter(Boolean).map((l) => [l!, 1])), durationMs: 1 }, findings: [],
});

describe('agent status lines and notices', () => {
  it('colours the tray by the worst line; unprobed egress does not hold it at unknown, an unchecked gateway does', () => {
    const ok = { state: 'ok' as const, text: '' };
    const unknown = { state: 'unknown' as const, text: '' };
    assert.equal(overallOf({ gateway: ok, listeners: ok, clock: ok, egress: unknown }), 'ok');
    assert.equal(overallOf({ gateway: unknown, listeners: ok, clock: ok, egress: unknown }), 'unknown');
    assert.equal(overallOf({ gateway: { state: 'critical', text: '' }, listeners: { state: 'warn', text: '' }, clock: ok, egress: ok }), 'critical');
    assert.equal(gatewayLine(health({ state: 'down', error: 'ECONNREFUSED' })).state, 'critical');
    assert.equal(gatewayLine(health({ consecutiveFailures: 1, error: 'ECONNREFUSED' })).state, 'warn');
    assert.match(gatewayLine(health({})).text, /Gateway ok · 1\.5 ms · v2026\.9\.6/);
    assert.equal(clockLine({ ...clock('unknown', null), method: null }).state, 'warn');
    assert.deepEqual(egressLine(probe('a', [null, 'tls-trust'])), { state: 'critical', text: 'Egress: 1/2 ok · tls-trust' });
  });

  it('notifies on changes only: down once, back up, a new exposed listener, a worse clock, probe layers that moved', () => {
    assert.equal(healthNotice(null, health({ state: 'down' }))?.id, 'gateway.down');
    assert.equal(healthNotice('down', health({ state: 'down' })), null);
    assert.equal(healthNotice('down', health({}))?.id, 'gateway.up');
    assert.equal(healthNotice('ok', health({})), null);
    assert.deepEqual(listenerNotices(null, listeners([listener('*', 'critical')])).map((n) => n.view), ['listeners']);
    assert.deepEqual(listenerNotices(null, listeners([listener('*', 'warn', 5000)])), [], 'the first scan reports only the critical ones');
    const before = listeners([listener('127.0.0.1', 'ok')]);
    assert.equal(listenerNotices(before, listeners([listener('127.0.0.1', 'ok'), listener('*', 'warn', 5000)])).length, 1);
    assert.equal(listenerNotices(listeners([listener('*', 'warn', 5000)]), listeners([listener('*', 'warn', 5000)])).length, 0);
    assert.equal(clockNotice(clock('ok', 5), clock('critical', 90_000))?.view, 'overview');
    assert.equal(clockNotice(clock('critical', 90_000), clock('ok', 5)), null);
    assert.equal(probeNotice(null, probe('a', [null, null])), null);
    assert.match(probeNotice(probe('a', [null, null]), probe('b', [null, 'tls-trust']))?.title ?? '', /1 target newly failing/);
    assert.equal(probeNotice(probe('a', [null, 'tls-trust']), probe('b', [null, 'tls-trust'])), null);
    assert.equal(probeNotice(probe('a', [null, 'tls-trust']), probe('b', [null, null]))?.title, 'Egress recovered');
  });
});
