import { fixRemedy, viewRemedy, worstSeverity, type EdgesReport, type Finding, type ProxyEdge } from '../contract.ts';
import { FORGED_CLIENT, isTrusted } from './edges-forwarded.ts';
import { YOUNG_CERT_DAYS } from './edges-proxy.ts';

/** Certificates expiring within this many days are a warning (as for probe targets). */
const EXPIRY_WARN_DAYS = 14;

const nameMatches = (host: string, san: string[]) => san.some((entry) => {
  const value = entry.replace(/^(DNS|IP Address):/i, '').toLowerCase();
  const h = host.toLowerCase();
  return value === h || (value.startsWith('*.') && h.endsWith(value.slice(1)) && !h.slice(0, -value.length + 1).includes('.'));
});

/** What one edge's facts mean: TLS versions, certificate, HSTS, upstream and the forged-header test. */
export function proxyFindings(edge: ProxyEdge, trustedProxies: string[], serverName?: string): Finding[] {
  const out: Finding[] = [];
  const at = edge.url;
  const tls = edge.tls;
  if (tls) {
    const old = tls.versions.filter((v) => v.accepted && (v.version === 'TLSv1' || v.version === 'TLSv1.1')).map((v) => v.version);
    if (old.length > 0) out.push({ id: 'edges.tls-weak', severity: 'critical', title: `${at} accepts ${old.join(' and ')}`, detail: 'TLS 1.0 and 1.1 are broken and deprecated (RFC 8996); the runbook says disable them.', fix: edge.server?.toLowerCase().startsWith('nginx') ? 'ssl_protocols TLSv1.2 TLSv1.3; then nginx -s reload' : 'Allow TLS 1.2 and 1.3 only in the edge (Caddy: tls { protocols tls1.2 tls1.3 })', remedy: viewRemedy('listeners', `openssl s_client -tls1 -connect ${new URL(edge.url).host}`) });
    if (tls.daysToExpiry !== null && tls.daysToExpiry < 0) out.push({ id: 'edges.cert-expired', severity: 'critical', title: `The certificate of ${at} expired ${-tls.daysToExpiry} day(s) ago`, fix: 'Renew it (ACME or your PKI) and reload the edge', remedy: viewRemedy('listeners') });
    else if (tls.daysToExpiry !== null && tls.daysToExpiry < EXPIRY_WARN_DAYS) out.push({ id: 'edges.cert-expiring', severity: 'warn', title: `The certificate of ${at} expires in ${tls.daysToExpiry} day(s)`, fix: 'Renew it before it lapses', remedy: viewRemedy('listeners') });
    if (serverName && !nameMatches(serverName, tls.san)) out.push({ id: 'edges.cert-name', severity: 'critical', title: `The certificate of ${at} is not valid for ${serverName} (${tls.san.join(', ') || 'no SAN'})`, fix: 'Issue a certificate for the name clients use', remedy: viewRemedy('listeners') });
  }
  if (edge.upstream.loopback === false) out.push({ id: 'edges.upstream-not-loopback', severity: 'warn', title: `${at}: ${edge.upstream.detail}`, fix: 'Bind the gateway to loopback and proxy to http://127.0.0.1:<port>: clawbar fix bind', remedy: fixRemedy('bind') });
  if (edge.forgedHeader.reachedGateway === true) {
    out.push({
      id: 'edges.forwarded-forgeable', severity: 'critical',
      title: `A forged X-Forwarded-For through ${at} reaches the gateway as the client's identity`,
      detail: `${edge.forgedHeader.detail}. The edge passes the client's own header on, and the gateway trusts the edge (gateway.trustedProxies), so rate limits and audit see whatever address a client claims.`,
      fix: edge.server?.toLowerCase().startsWith('nginx') ? 'In the edge: proxy_set_header X-Forwarded-For $remote_addr; (overwrite, never $proxy_add_x_forwarded_for for untrusted clients)' : 'Make the edge overwrite X-Forwarded-For with the address it saw',
      remedy: viewRemedy('listeners', `curl -s -H 'X-Forwarded-For: ${FORGED_CLIENT}' ${at}readyz`),
    });
  }
  const source = edge.upstream.loopback ? '127.0.0.1' : null;
  if (source && !isTrusted(source, trustedProxies) && !isTrusted('::1', trustedProxies)) {
    out.push({
      id: 'edges.proxy-untrusted', severity: 'warn',
      title: `${at} forwards to the gateway from loopback, which gateway.trustedProxies does not name`,
      detail: 'Requests it forwards with X-Forwarded-For get 403 proxy_attribution_required, or reach the gateway as local clients when the edge sends no forwarded headers: client attribution is broken either way.',
      fix: 'openclaw config set gateway.trustedProxies \'["127.0.0.1"]\' --strict-json, and make the edge overwrite X-Forwarded-For',
      remedy: viewRemedy('environment', 'openclaw config get gateway.trustedProxies'),
    });
  }
  return out;
}

/** Notes for an edge that are facts, not faults. */
export function proxyNotes(edge: ProxyEdge): string[] {
  const tls = edge.tls;
  if (!tls) return ['plain HTTP: no TLS at this edge'];
  const notes: string[] = [];
  if (!tls.hsts) notes.push('no HSTS header');
  if (tls.hsts && tls.selfSigned) notes.push('HSTS with a self-signed certificate: browsers that saw the header will refuse any click-through');
  else if (tls.hsts && tls.ageDays !== null && tls.ageDays < YOUNG_CERT_DAYS) notes.push(`HSTS with a certificate ${tls.ageDays} day(s) old: enable HSTS only once DNS and certificates are stable`);
  return notes;
}

/** trustedProxies wider than the edges found: ranges, or entries no edge uses. */
export function trustFindings(trusted: string[], proxies: ProxyEdge[]): Finding[] {
  if (trusted.length === 0) return [];
  const sources = proxies.filter((p) => p.upstream.loopback).length > 0 ? ['127.0.0.1', '::1'] : [];
  const wide = trusted.filter((t) => { const bits = /\/(\d+)$/.exec(t); return bits !== null && Number(bits[1]) < (t.includes(':') ? 128 : 32); });
  const unused = trusted.filter((t) => !sources.some((s) => isTrusted(s, [t])));
  if (wide.length === 0 && unused.length === 0) return [];
  return [{
    id: 'edges.trusted-proxies-wide', severity: 'warn',
    title: `gateway.trustedProxies trusts more than the edges found: ${[...new Set([...wide, ...unused])].join(', ')}`,
    detail: `${proxies.length} edge(s) found on this Mac. Every trusted address may claim any client identity in X-Forwarded-For; keep the list to the edges' own addresses.`,
    fix: 'List only the edges\' addresses in gateway.trustedProxies (seed 001: explicit CIDRs, fail closed)',
    remedy: viewRemedy('environment', 'openclaw config get gateway.trustedProxies'),
  }];
}

export function directFindings(direct: EdgesReport['forwarded']['direct']): Finding[] {
  if (direct.refused !== false) return [];
  return [{
    id: 'edges.forwarded-direct-accepted', severity: 'critical',
    title: `The gateway accepted a forged X-Forwarded-For from ${direct.source}, which is not a trusted proxy`,
    detail: direct.detail,
    fix: 'Upgrade OpenClaw; keep gateway.trustedProxies to the edges\' addresses',
    remedy: viewRemedy('environment', 'openclaw security audit --deep'),
  }];
}

export const edgeSeverity = (findings: Finding[]) => worstSeverity(findings);
