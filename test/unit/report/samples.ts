import type { LastProbeRun, ProbeResult, StatusReport } from '../../../main/contract.ts';

/** Hand-made reports in the shapes the engine produces, for the pure report and metrics functions. */

export function status(overrides: Partial<StatusReport> = {}): StatusReport {
  return {
    schema: 'clawbar.status/1',
    overall: 'warn',
    gateway: { state: 'ok', url: 'http://127.0.0.1:18789/health', latencyMs: 1.8, p95Ms: 2.4, failing: [], status: 200, error: null, version: '2026.9.6', uptimeMs: 3_600_000, consecutiveFailures: 0 },
    listeners: {
      state: 'warn',
      items: [
        { address: '127.0.0.1', port: 18789, family: 4, process: 'openclaw-', pid: 501, user: 'ops', exposure: 'loopback', network: null, severity: 'ok', note: null },
        { address: '::1', port: 18789, family: 6, process: 'openclaw-', pid: 501, user: 'ops', exposure: 'loopback', network: null, severity: 'ok', note: null },
        { address: '*', port: 5000, family: 4, process: 'ControlCe', pid: 900, user: 'ops', exposure: 'wildcard', network: null, severity: 'ok', note: 'macOS AirPlay Receiver' },
        { address: '*', port: 8080, family: 4, process: 'python3', pid: 77, user: 'ops', exposure: 'wildcard', network: null, severity: 'warn', note: null },
      ],
      source: 'lsof', partial: null, firewall: { state: 'unknown', detail: null },
      baseline: { path: '/state/listeners-baseline.json', savedAt: '2026-11-20T10:00:00.000Z', changes: [{ change: 'new', key: 'python3|8080|4', port: 8080, process: 'python3', address: '*', previousAddress: null, firstSeen: '2026-11-21T09:00:00.000Z', ageHours: 2 }] },
      findings: [{ id: 'listeners.wildcard', severity: 'warn', title: 'python3 (pid 77) listens on every interface, port 8080', fix: 'Bind it to 127.0.0.1' }],
    },
    clock: { state: 'ok', offsetMs: 12.5, roundTripMs: 3, stratum: 2, server: '127.0.0.1:123', method: 'sntp', samples: 3, sntpError: null, breaks: [], findings: [] },
    findings: [{ id: 'listeners.wildcard', severity: 'warn', title: 'python3 (pid 77) listens on every interface, port 8080', fix: 'Bind it to 127.0.0.1' }],
    ...overrides,
  };
}

export function result(target: string, overrides: Partial<ProbeResult> = {}): ProbeResult {
  return {
    target, name: null, kind: 'allowlist', ok: true, layer: null, error: null,
    phases: { dnsMs: 2.1, connectMs: 0.4, proxyConnectMs: null, tlsMs: 6.2, ttfbMs: 3.3, totalMs: 12.4 },
    via: 'direct', route: { proxy: null, rule: 'no https_proxy/HTTPS_PROXY or http_proxy/HTTP_PROXY set' },
    family: 4, address: '127.0.0.1', dns: null, families: [], proxyStatus: null,
    tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', subject: 'api.corp.test', issuer: 'Corp Inspection CA', san: ['DNS:api.corp.test'], validFrom: 'Nov 20 10:00:00 2026 GMT', validTo: 'Dec 20 10:00:00 2026 GMT', daysToExpiry: 29, authorized: true, authorizationError: null, servername: 'api.corp.test' },
    http: { status: 200, date: null, server: 'nginx' }, websocket: null, ready: null, explanation: null, fix: null, notes: [],
    ...overrides,
  };
}

export function lastProbe(results: ProbeResult[], pins: Record<string, string> = {}): LastProbeRun {
  const failed = results.filter((r) => !r.ok);
  return {
    schema: 'clawbar.last-probe/1',
    savedAt: '2026-11-21T10:00:01.000Z',
    targets: results.map((r) => ({ url: r.target, kind: r.kind, name: r.name, sni: null, pin: pins[r.target] ?? null })),
    report: {
      schema: 'clawbar.probe/1', traceId: '3f1c9a52-0000-4000-8000-000000000001', startedAt: '2026-11-21T10:00:00.000Z', overall: failed.length ? 'critical' : 'ok',
      environment: { source: 'daemon', plistPath: '/Users/ops/Library/LaunchAgents/ai.openclaw.gateway.plist' },
      runtime: { execPath: '/opt/homebrew/bin/node', nodeVersion: 'v24.21.0', openssl: '3.0.17', daemonNode: '/opt/homebrew/bin/node', note: null },
      results,
      summary: { total: results.length, ok: results.length - failed.length, failed: failed.length, byLayer: {}, durationMs: 850 },
      findings: failed.map((r) => ({ id: `probe.${r.layer}`, severity: 'critical' as const, title: `${r.target}: ${r.layer}`, fix: r.fix })),
    },
  };
}
