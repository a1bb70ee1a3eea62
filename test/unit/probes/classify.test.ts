import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Layer, Remedy, type ProbeResult, type ProbeTarget } from '../../../main/contract.ts';
import { classifyFailure, classifyStatus, type Verdict } from '../../../main/probes/classify.ts';
import { ProbeFailure, type Phase } from '../../../main/probes/state.ts';

// The remedies as faces receive them: written out, not rebuilt with the code under test.
const CA = { fix: { kind: 'ca', request: {}, needs: ['cert'] }, view: 'fixes', command: 'clawbar fix ca --cert <CA file>' };
const PROXY = { fix: { kind: 'proxy', request: {}, needs: ['url'] }, view: 'fixes', command: 'clawbar fix proxy --url <proxy URL>' };
const CLOCK = { fix: { kind: 'clock', request: {}, needs: [] }, view: 'fixes', command: 'clawbar fix clock' };
const probes = (command: string | null = null) => ({ fix: null, view: 'probes', command });

const target = (url: string, kind: ProbeTarget['kind'] = 'custom'): ProbeTarget => ({ url, kind, name: null, sni: null, pin: null });
const tls = (over: Partial<NonNullable<ProbeResult['tls']>> = {}): NonNullable<ProbeResult['tls']> => ({
  protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', subject: 'CN=api.corp.test', issuer: 'CN=Corp Inspection CA', san: ['api.corp.test', 'www.corp.test'],
  validFrom: '2026-01-01T00:00:00.000Z', validTo: '2027-01-01T00:00:00.000Z', daysToExpiry: 30, authorized: false, authorizationError: null, servername: 'api.corp.test', ...over,
});
const DIRECT = { via: 'direct' as const, route: { proxy: null, rule: 'no https_proxy/HTTPS_PROXY or http_proxy/HTTP_PROXY set' } };
const PROXIED = { via: 'proxy' as const, route: { proxy: 'http://proxy.corp:3128', rule: 'https_proxy' } };
const API = target('https://api.corp.test/');

interface FailureRow {
  name: string;
  phase: Phase;
  code: string;
  status?: number;
  result?: Partial<Pick<ProbeResult, 'tls' | 'via' | 'route'>>;
  target?: ProbeTarget;
  layer: Layer;
  explanation: RegExp;
  fix: RegExp;
  remedy: object;
}

const FAILURES: FailureRow[] = [
  { name: 'a name that does not exist', phase: 'dns', code: 'ENOTFOUND', layer: 'dns', explanation: /does not resolve \(ENOTFOUND\).*stale resolver/, fix: /scutil --dns.*flushcache/, remedy: probes() },
  { name: 'NODATA from the resolver', phase: 'dns', code: 'NODATA', layer: 'dns', explanation: /does not resolve \(NODATA\)/, fix: /dscacheutil -q host/, remedy: probes() },
  { name: 'a resolver that fails', phase: 'dns', code: 'SERVFAIL', layer: 'dns', explanation: /resolver did not give an answer \(SERVFAIL\)/, fix: /UDP\/TCP 53/, remedy: probes() },
  { name: 'nothing listens on the gateway port', phase: 'connect', code: 'ECONNREFUSED', target: target('http://127.0.0.1:18789/health', 'gateway-health'), layer: 'refused', explanation: /connection refused/, fix: /^Start the gateway: launchctl kickstart -k/, remedy: probes('launchctl kickstart -k gui/$(id -u)/ai.openclaw.gateway') },
  { name: 'nothing listens on a remote port', phase: 'connect', code: 'ECONNREFUSED', layer: 'refused', explanation: /connection refused/, fix: /^Check the port/, remedy: probes() },
  { name: 'a direct connection dropped: the proxy may be the way out', phase: 'connect', code: 'ETIMEDOUT', result: DIRECT, layer: 'timeout', explanation: /Connecting timed out/, fix: /firewall ticket.*clawbar report --allowlist.*clawbar fix proxy --url <proxy URL>/, remedy: PROXY },
  { name: 'a connection through the proxy dropped', phase: 'connect', code: 'ETIMEDOUT', result: PROXIED, layer: 'timeout', explanation: /Connecting timed out/, fix: /^Open a firewall ticket for this host and port \(clawbar report --allowlist\)$/, remedy: probes('clawbar report --allowlist') },
  { name: 'a loopback connection dropped is no proxy matter', phase: 'connect', code: 'ETIMEDOUT', result: DIRECT, target: target('http://127.0.0.1:9000/'), layer: 'timeout', explanation: /Connecting timed out/, fix: /^Open a firewall ticket/, remedy: probes('clawbar report --allowlist') },
  { name: 'no route, going direct', phase: 'connect', code: 'ENETUNREACH', result: DIRECT, layer: 'route', explanation: /no network path to the address \(ENETUNREACH\)/, fix: /curl -4 and curl -6.*clawbar fix proxy/, remedy: PROXY },
  { name: 'no route to the gateway', phase: 'connect', code: 'EHOSTUNREACH', result: DIRECT, target: target('http://192.168.1.20:18789/health', 'gateway-health'), layer: 'route', explanation: /EHOSTUNREACH/, fix: /^Compare curl -4 and curl -6; check routes with netstat -rn and the VPN\/tailnet state$/, remedy: probes() },
  { name: 'some other connect error', phase: 'connect', code: 'EPIPE', layer: 'route', explanation: /The connection failed \(EPIPE\)/, fix: /Retry, then check routing/, remedy: probes() },
  { name: 'the proxy wants credentials', phase: 'proxy', code: 'PROXY_AUTH', status: 407, result: PROXIED, layer: 'proxy-auth', explanation: /HTTP 407/, fix: /clawbar fix proxy --url http:\/\/user:password@proxy:port with the right user and password/, remedy: PROXY },
  { name: 'the proxy cannot reach the target', phase: 'proxy', code: 'PROXY_STATUS', status: 502, result: PROXIED, layer: 'proxy', explanation: /could not reach the target \(502\)/, fix: /proxy team/, remedy: probes() },
  { name: 'the proxy refuses CONNECT', phase: 'proxy', code: 'PROXY_STATUS', status: 403, result: PROXIED, layer: 'proxy', explanation: /refused to open a tunnel \(403\)/, fix: /allow CONNECT/, remedy: probes() },
  { name: 'the proxy is down', phase: 'proxy', code: 'ECONNREFUSED', result: PROXIED, layer: 'proxy', explanation: /could not be reached or misbehaved \(ECONNREFUSED\)/, fix: /proxy URL in clawbar env.*If the URL is wrong: clawbar fix proxy --url <proxy URL>$/, remedy: PROXY },
  { name: 'loopback blocked by the managed proxy on purpose', phase: 'proxy', code: 'BLOCKED', layer: 'proxy', explanation: /\(BLOCKED\)/, fix: /^Check the proxy URL in clawbar env; is the proxy running\?$/, remedy: probes() },
  { name: 'a handshake that never finishes', phase: 'tls', code: 'ETIMEDOUT', layer: 'timeout', explanation: /TLS handshake started but did not finish/, fix: /middlebox/, remedy: probes() },
  { name: 'an inspecting proxy signs with an unknown CA', phase: 'tls', code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', result: { tls: tls() }, layer: 'tls-trust', explanation: /does not trust.*issued by CN=Corp Inspection CA\./, fix: /clawbar fix ca --cert <CA file>/, remedy: CA },
  { name: 'a self-signed chain, issuer unknown', phase: 'tls', code: 'SELF_SIGNED_CERT_IN_CHAIN', layer: 'tls-trust', explanation: /^(?!.*issued by).*does not trust/, fix: /clawbar fix ca/, remedy: CA },
  { name: 'a certificate for another name', phase: 'tls', code: 'ERR_TLS_CERT_ALTNAME_INVALID', result: { tls: tls({ servername: '10.0.0.5' }) }, layer: 'tls-name', explanation: /\(10\.0\.0\.5\)\. It is valid for api\.corp\.test, www\.corp\.test\./, fix: /host name \(not IP\)/, remedy: probes() },
  { name: 'a certificate not valid yet: the clock is behind', phase: 'tls', code: 'CERT_NOT_YET_VALID', result: { tls: tls() }, layer: 'tls-clock', explanation: /not valid yet: it starts 2026-01-01T00:00:00\.000Z.*behind/, fix: /clawbar fix clock/, remedy: CLOCK },
  { name: 'an expired certificate: the clock may be ahead', phase: 'tls', code: 'CERT_HAS_EXPIRED', result: { tls: tls() }, layer: 'tls-clock', explanation: /expired 2027-01-01T00:00:00\.000Z.*ahead/, fix: /clawbar clock \(clawbar fix clock sets it\).*renew/, remedy: CLOCK },
  { name: 'no protocol in common', phase: 'tls', code: 'ERR_SSL_UNSUPPORTED_PROTOCOL', layer: 'tls-protocol', explanation: /handshake failed \(ERR_SSL_UNSUPPORTED_PROTOCOL\)/, fix: /TLS 1\.2 or 1\.3/, remedy: probes() },
  { name: 'a server that never answers', phase: 'http', code: 'ETIMEDOUT', layer: 'timeout', explanation: /did not answer in time/, fix: /Retry; check the server/, remedy: probes() },
  { name: 'a broken HTTP exchange', phase: 'http', code: 'ECONNRESET', layer: 'http', explanation: /HTTP exchange failed \(ECONNRESET\)/, fix: /curl -v/, remedy: probes() },
  { name: 'a WebSocket upgrade that gets no answer', phase: 'websocket', code: 'ETIMEDOUT', layer: 'timeout', explanation: /upgrade got no answer/, fix: /check the gateway/, remedy: probes() },
  { name: 'a proxy that strips Upgrade', phase: 'websocket', code: 'WS_STATUS', status: 400, result: PROXIED, layer: 'websocket', explanation: /did not succeed \(400\); the proxy may strip Upgrade/, fix: /allow WebSocket upgrades/, remedy: probes() },
  { name: 'a WebSocket path that is wrong', phase: 'websocket', code: 'WS_STATUS', status: 404, result: DIRECT, layer: 'websocket', explanation: /did not succeed \(404\)\.$/, fix: /gateway is running and the path is right/, remedy: probes() },
];

interface StatusRow {
  name: string;
  status: number;
  target?: ProbeTarget;
  body?: { text: string; contentType: string; retryAfter: string | null };
  server?: string;
  verdict: Partial<Verdict> & { ok: boolean; layer: Layer | null };
  explanation?: RegExp;
  fix?: RegExp;
}

const HTML = { text: '<html>Access denied</html>', contentType: 'text/html', retryAfter: null };
const STATUSES: StatusRow[] = [
  { name: 'a healthy gateway', status: 200, target: target('http://127.0.0.1:18789/health', 'gateway-health'), verdict: { ok: true, layer: null, explanation: null, fix: null, remedy: null } },
  { name: 'a gateway that is not ready', status: 503, target: target('http://127.0.0.1:18789/readyz', 'gateway-ready'), verdict: { ok: false, layer: 'http', remedy: probes('openclaw health --json') as Verdict['remedy'] }, explanation: /answered 503: it is running but not ready/, fix: /openclaw health --json/ },
  { name: 'a transparent proxy asking for credentials', status: 407, verdict: { ok: false, layer: 'proxy-auth', remedy: PROXY as Verdict['remedy'] }, explanation: /transparent proxy/, fix: /clawbar fix proxy/ },
  { name: 'a provider rate-limiting', status: 429, target: target('https://api.openai.com/v1/models', 'provider'), body: { text: '{}', contentType: 'application/json', retryAfter: '7' }, verdict: { ok: false, layer: 'rate-limit', remedy: probes() as Verdict['remedy'] }, explanation: /429, retry after 7 s/, fix: /backoff/ },
  { name: 'a provider shedding load', status: 503, target: target('https://api.openai.com/v1/models', 'provider'), verdict: { ok: false, layer: 'rate-limit', remedy: probes() as Verdict['remedy'] }, explanation: /overloaded/, fix: /status page/ },
  { name: 'an edge refusing with a page', status: 403, body: HTML, verdict: { ok: false, layer: 'waf', remedy: probes() as Verdict['remedy'] }, explanation: /web application firewall/, fix: /allow-list/ },
  { name: 'an API refusing with JSON is reachable', status: 403, body: { text: '{"error":"no key"}', contentType: 'application/json', retryAfter: null }, verdict: { ok: true, layer: null, remedy: null } },
  { name: 'a JSON refusal from a known edge', status: 403, body: { text: '{"error":"blocked"}', contentType: 'application/json', retryAfter: null }, server: 'cloudflare', verdict: { ok: false, layer: 'waf', remedy: probes() as Verdict['remedy'] } },
  { name: 'a server error', status: 502, verdict: { ok: false, layer: 'http', remedy: probes() as Verdict['remedy'] }, explanation: /error \(502\)/, fix: /service owner/ },
  { name: 'a 404 still proves reachability', status: 404, verdict: { ok: true, layer: null, explanation: null, fix: null, remedy: null } },
];

describe('classifyFailure: one layer, explanation, fix and remedy per failure', () => {
  for (const row of FAILURES) {
    it(row.name, () => {
      const failure = new ProbeFailure(row.phase, row.code, `${row.phase} failed`, row.status ?? null);
      const verdict = classifyFailure(failure, { tls: null, ...DIRECT, ...row.result }, row.target ?? API);
      assert.equal(verdict.ok, false);
      assert.equal(verdict.layer, row.layer);
      assert.match(verdict.explanation ?? '', row.explanation);
      assert.match(verdict.fix ?? '', row.fix);
      assert.deepEqual(verdict.remedy, row.remedy);
      assert.ok(Remedy.safeParse(verdict.remedy).success, 'the remedy is valid against the contract');
    });
  }

  it('covers every layer a failed phase can land in', () => {
    const seen = new Set([...FAILURES.map((r) => r.layer), ...STATUSES.map((r) => r.verdict.layer)]);
    assert.deepEqual(Layer.options.filter((layer) => !seen.has(layer)), []);
  });

  it('a fix remedy is offered only where the prose names that fix', () => {
    for (const row of FAILURES) {
      const verdict = classifyFailure(new ProbeFailure(row.phase, row.code, 'x', row.status ?? null), { tls: null, ...DIRECT, ...row.result }, row.target ?? API);
      if (verdict.remedy?.fix) assert.match(verdict.fix!, new RegExp(`clawbar fix ${verdict.remedy.fix.kind}`), row.name);
    }
  });
});

describe('classifyStatus: what an HTTP answer means', () => {
  for (const row of STATUSES) {
    it(row.name, () => {
      const verdict = classifyStatus(row.status, row.target ?? API, row.body, row.server ?? null);
      for (const [key, value] of Object.entries(row.verdict)) assert.deepEqual(verdict[key as keyof Verdict], value, key);
      if (row.explanation) assert.match(verdict.explanation ?? '', row.explanation);
      if (row.fix) assert.match(verdict.fix ?? '', row.fix);
    });
  }
});
