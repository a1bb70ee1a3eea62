import type { Layer, ProbeResult, ProbeTarget, Remedy } from '../contract.ts';
// Without zod: the probe child classifies, and its parent checks every result against the contract.
import { fixRemedyUnchecked as fixRemedy, viewRemedy } from '../contract/remedies.ts';
import { isLoopbackHost, normalisedHost } from './route.ts';
import type { ProbeFailure } from './state.ts';

export interface Verdict {
  ok: boolean;
  layer: Layer | null;
  explanation: string | null;
  fix: string | null;
  /** The same fix as data, decided here once so no face has to guess it from the layer. */
  remedy: Remedy | null;
}

const FIX_CA = 'If your network inspects TLS, trust its CA for the gateway: clawbar fix ca --cert <CA file>';
const FIX_PROXY = 'clawbar fix proxy --url http://user:password@proxy:port';
const PROXY_INSTEAD = 'if this network only lets traffic out through a proxy, give the gateway that proxy: clawbar fix proxy --url <proxy URL>';

/** Failures the probe view explains and no guided fix solves; the command, when one line is the next step. */
const seeProbe = (command: string | null = null) => viewRemedy('probes', command);
const KICKSTART = 'launchctl kickstart -k gui/$(id -u)/ai.openclaw.gateway';

/**
 * A direct connection to somewhere off this Mac that is dropped or has no
 * route: on networks whose only way out is a proxy, that proxy is the fix.
 */
function directOffHost(result: Pick<ProbeResult, 'via'>, target: ProbeTarget): boolean {
  if (result.via !== 'direct' || target.kind.startsWith('gateway')) return false;
  try {
    return !isLoopbackHost(normalisedHost(new URL(target.url)));
  } catch {
    return false;
  }
}

const TRUST = new Set(['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE', 'CERT_REVOKED', 'INVALID_CA', 'CERT_CHAIN_TOO_LONG']);
const NAME = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_FORMAT']);
const CLOCK = new Set(['CERT_NOT_YET_VALID', 'CERT_HAS_EXPIRED', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD']);
const ROUTE = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN', 'EHOSTDOWN', 'EAFNOSUPPORT']);

function tlsVerdict(failure: ProbeFailure, result: Pick<ProbeResult, 'tls'>): Verdict {
  const issuer = result.tls?.issuer ? ` It was issued by ${result.tls.issuer}.` : '';
  if (TRUST.has(failure.code)) {
    return { ok: false, layer: 'tls-trust', explanation: `The server's certificate is signed by a CA this runtime does not trust (unknown CA, curl exit 60).${issuer} A TLS-inspecting proxy or firewall usually causes this.`, fix: FIX_CA, remedy: fixRemedy('ca') };
  }
  if (NAME.has(failure.code)) {
    const sans = result.tls?.san.length ? ` It is valid for ${result.tls.san.slice(0, 4).join(', ')}.` : '';
    return { ok: false, layer: 'tls-name', explanation: `The certificate is not valid for the name we asked for (${result.tls?.servername ?? 'no SNI'}).${sans} Wrong SNI, a raw IP target in front of a CDN, or an intercepting device answering for another name.`, fix: 'Connect by host name (not IP) so SNI matches, and check the target and --resolve pins', remedy: seeProbe() };
  }
  if (CLOCK.has(failure.code)) {
    const from = result.tls?.validFrom ?? '?';
    const to = result.tls?.validTo ?? '?';
    const now = new Date().toISOString();
    return failure.code === 'CERT_NOT_YET_VALID' || failure.code === 'ERROR_IN_CERT_NOT_BEFORE_FIELD'
      ? { ok: false, layer: 'tls-clock', explanation: `The certificate is not valid yet: it starts ${from}, but this Mac's clock says ${now}. The local clock is most likely behind.`, fix: 'clawbar clock, then clawbar fix clock (sntp -sS time.apple.com)', remedy: fixRemedy('clock') }
      : { ok: false, layer: 'tls-clock', explanation: `The certificate expired ${to} by this Mac's clock (${now}). Either the server's certificate really expired or the local clock is ahead.`, fix: 'Check the clock with clawbar clock (clawbar fix clock sets it); if it is right, the server owner must renew the certificate', remedy: fixRemedy('clock') };
  }
  return { ok: false, layer: 'tls-protocol', explanation: `The TLS handshake failed (${failure.code}): no protocol version or cipher both sides accept, or a device on the path cut the handshake (for example SNI filtering).`, fix: 'Check that the server offers TLS 1.2 or 1.3; compare with curl -v from the same host; ask the network team whether SNI filtering applies', remedy: seeProbe() };
}

/** Puts a failed phase in exactly one layer, with a plain explanation, the fix to try and its remedy. */
export function classifyFailure(failure: ProbeFailure, result: Pick<ProbeResult, 'tls' | 'via' | 'route'>, target: ProbeTarget): Verdict {
  const code = failure.code;
  const proxyInstead = directOffHost(result, target);
  switch (failure.phase) {
    case 'dns':
      if (code === 'ENOTFOUND' || code === 'EAI_NONAME' || code === 'NXDOMAIN' || code === 'ENODATA' || code === 'NODATA') {
        return { ok: false, layer: 'dns', explanation: `The name does not resolve (${code}). If it happens only sometimes, a stale resolver or search domain (scutil --dns) is the usual cause.`, fix: 'Compare scutil --dns and dscacheutil -q host -a name <host> with a working machine; flush the cache: sudo dscacheutil -flushcache; sudo killall -HUP mDNSResponder', remedy: seeProbe() };
      }
      return { ok: false, layer: 'dns', explanation: `The resolver did not give an answer (${code}): it is unreachable, timing out or failing (SERVFAIL).`, fix: 'Check the resolvers in scutil --dns and that UDP/TCP 53 to them is allowed', remedy: seeProbe() };
    case 'connect':
      if (code === 'ECONNREFUSED') {
        const gateway = target.kind.startsWith('gateway');
        return { ok: false, layer: 'refused', explanation: 'The host answered but nothing accepts connections on that port (connection refused).', fix: gateway ? `Start the gateway: ${KICKSTART}; check the port in clawbar env` : 'Check the port, and whether the service or a firewall rejects it', remedy: seeProbe(gateway ? KICKSTART : null) };
      }
      if (code === 'ETIMEDOUT') {
        const ticket = 'Open a firewall ticket for this host and port (clawbar report --allowlist)';
        return { ok: false, layer: 'timeout', explanation: 'Connecting timed out: packets are being dropped, typically by a firewall that has no rule for this destination.', fix: proxyInstead ? `${ticket}; ${PROXY_INSTEAD}` : ticket, remedy: proxyInstead ? fixRemedy('proxy') : seeProbe('clawbar report --allowlist') };
      }
      if (ROUTE.has(code)) {
        const routes = 'Compare curl -4 and curl -6; check routes with netstat -rn and the VPN/tailnet state';
        return { ok: false, layer: 'route', explanation: `There is no network path to the address (${code}). Common with IPv6 on networks that only route IPv4, or a VPN/tailnet route that is down.`, fix: proxyInstead ? `${routes}; ${PROXY_INSTEAD}` : routes, remedy: proxyInstead ? fixRemedy('proxy') : seeProbe() };
      }
      return { ok: false, layer: 'route', explanation: `The connection failed (${code}).`, fix: 'Retry, then check routing and firewalls', remedy: seeProbe() };
    case 'proxy':
      if (code === 'PROXY_AUTH') return { ok: false, layer: 'proxy-auth', explanation: 'The proxy asked for credentials it did not get or did not accept (HTTP 407).', fix: `${FIX_PROXY} with the right user and password`, remedy: fixRemedy('proxy') };
      if (failure.status === 502 || failure.status === 504) return { ok: false, layer: 'proxy', explanation: `The proxy could not reach the target (${failure.status}).`, fix: 'Ask the proxy team whether this destination is allowed and reachable from the proxy', remedy: seeProbe() };
      if (failure.status !== null) return { ok: false, layer: 'proxy', explanation: `The proxy refused to open a tunnel (${failure.status}); its policy may not allow this host or port.`, fix: 'Ask the proxy team to allow CONNECT to this host:port', remedy: seeProbe() };
      // A route the managed proxy blocks on purpose (loopbackMode block) is policy; a proxy URL cannot change it.
      if (code === 'BLOCKED') return { ok: false, layer: 'proxy', explanation: `The proxy itself could not be reached or misbehaved (${code}).`, fix: 'Check the proxy URL in clawbar env; is the proxy running?', remedy: seeProbe() };
      return { ok: false, layer: 'proxy', explanation: `The proxy itself could not be reached or misbehaved (${code}).`, fix: 'Check the proxy URL in clawbar env; is the proxy running? If the URL is wrong: clawbar fix proxy --url <proxy URL>', remedy: fixRemedy('proxy') };
    case 'tls':
      if (code === 'ETIMEDOUT') return { ok: false, layer: 'timeout', explanation: 'The TLS handshake started but did not finish in time.', fix: 'Retry; if it persists, a middlebox may be holding the handshake', remedy: seeProbe() };
      return tlsVerdict(failure, result);
    case 'http':
      if (code === 'ETIMEDOUT') return { ok: false, layer: 'timeout', explanation: 'The server accepted the connection but did not answer in time.', fix: 'Retry; check the server or the edge in front of it', remedy: seeProbe() };
      return { ok: false, layer: 'http', explanation: `The HTTP exchange failed (${code}).`, fix: 'Retry with curl -v from the same host', remedy: seeProbe() };
    case 'websocket':
      if (code === 'ETIMEDOUT') return { ok: false, layer: 'timeout', explanation: 'The WebSocket upgrade got no answer in time.', fix: 'Retry; check the gateway', remedy: seeProbe() };
      return { ok: false, layer: 'websocket', explanation: `The WebSocket upgrade did not succeed (${failure.status ?? code})${result.via === 'proxy' ? '; the proxy may strip Upgrade headers or block WebSockets' : ''}.`, fix: result.via === 'proxy' ? 'Ask the proxy team to allow WebSocket upgrades (HTTP/1.1 Upgrade through CONNECT)' : 'Check that the gateway is running and the path is right', remedy: seeProbe() };
  }
}

const WAF_MARKERS = /access denied|attention required|request blocked|forbidden by policy|cloudflare|akamai|incapsula|web application firewall|captcha/i;

/** Judges an HTTP answer: reachability is fine unless the edge or provider pushes back. */
export function classifyStatus(status: number, target: ProbeTarget, body: { text: string; contentType: string; retryAfter: string | null } | undefined, server: string | null): Verdict {
  const ok: Verdict = { ok: true, layer: null, explanation: null, fix: null, remedy: null };
  if (target.kind === 'gateway-health' || target.kind === 'gateway-ready') {
    if (status === 200) return ok;
    return { ok: false, layer: 'http', explanation: `The gateway answered ${status}${status === 503 ? ': it is running but not ready' : ''}.`, fix: 'openclaw health --json; check the gateway log', remedy: seeProbe('openclaw health --json') };
  }
  if (status === 407) return { ok: false, layer: 'proxy-auth', explanation: 'A proxy on the path demanded credentials (407) although none is configured: a transparent proxy.', fix: FIX_PROXY, remedy: fixRemedy('proxy') };
  if (status === 429) return { ok: false, layer: 'rate-limit', explanation: `The provider is rate-limiting this node (429${body?.retryAfter ? `, retry after ${body.retryAfter} s` : ''}). The network path is fine.`, fix: 'Lower concurrency or add retry budget with backoff; do not tune proxies or nginx for this', remedy: seeProbe() };
  if (status === 503 && target.kind === 'provider') return { ok: false, layer: 'rate-limit', explanation: 'The provider is overloaded or shedding load (503). The network path is fine.', fix: 'Back off and retry; check the provider status page', remedy: seeProbe() };
  if (status === 403) {
    const json = /json/.test(body?.contentType ?? '');
    if (!json || WAF_MARKERS.test(body?.text ?? '') || WAF_MARKERS.test(server ?? '')) {
      return { ok: false, layer: 'waf', explanation: "An edge or web application firewall refused this node (403). If other regions' nodes get through, this node's egress IP is not on the provider's or edge's allow-list.", fix: "Map this node's egress IP to the provider's allow-list, or route this region through another node", remedy: seeProbe() };
    }
    return ok;
  }
  if (status >= 500) return { ok: false, layer: 'http', explanation: `The server answered with an error (${status}).`, fix: 'Retry later; report to the service owner if it persists', remedy: seeProbe() };
  return ok;
}
