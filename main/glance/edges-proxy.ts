import { connect as tlsConnect, type PeerCertificate, type SecureVersion } from 'node:tls';
import type { Listener, ProxyEdge, TlsFacts } from '../contract.ts';
import { classifyAddress } from './exposure.ts';
import { edgeGet, isGatewayHealth, type EdgeResponse } from './edges-http.ts';

/** Past this many listeners the rest are not asked; known proxy programs and web ports go first. */
export const MAX_EDGE_CANDIDATES = 48;
const PROBE_TIMEOUT_MS = 800;
const PROXY_NAMES = /^(nginx|caddy|httpd|apache2?|haproxy|traefik|envoy|hitch|stunnel)/i;
const WEB_PORTS = new Set([80, 443, 8080, 8443, 8000, 8888, 3000, 4443]);
const DAY_MS = 86_400_000;
/** A certificate younger than this makes HSTS a commitment the operator may regret (seed 003: enable HSTS only when certs are stable). */
export const YOUNG_CERT_DAYS = 30;

/** Where to connect to reach a listener from this Mac: its own address, or loopback for a wildcard. */
export function dialAddress(l: Pick<Listener, 'address' | 'family'>): string {
  if (l.address === '*' || l.address === '0.0.0.0') return l.family === 6 ? '::1' : '127.0.0.1';
  if (l.address === '::') return '::1';
  return l.address;
}

/** One candidate per port (the listener lsof lists first), known proxies and web ports first, bounded. */
export function edgeCandidates(listeners: Listener[], exclude: Set<number>): Listener[] {
  const byPort = new Map<number, Listener>();
  for (const l of listeners) if (!exclude.has(l.pid) && !byPort.has(l.port)) byPort.set(l.port, l);
  const rank = (l: Listener) => (PROXY_NAMES.test(l.process) ? 0 : WEB_PORTS.has(l.port) ? 1 : 2);
  return [...byPort.values()].sort((a, b) => rank(a) - rank(b) || a.port - b.port).slice(0, MAX_EDGE_CANDIDATES);
}

/** What TLS servers answer to plain HTTP (nginx, Caddy, Go): the port wants TLS. */
const WANTS_TLS = /plain HTTP request was sent to HTTPS|HTTP request to an HTTPS server|speaking plain HTTP to an SSL/i;

/**
 * The listener answers /health as the gateway does, over TLS or plain HTTP:
 * which one, and the answer. Both are asked at once; a plain HTTP answer that
 * is not a TLS server's complaint settles it, so a silent TLS attempt (a
 * forward proxy waiting for a request line) costs nothing. 'late' when no
 * answer settled it and one of the two ran out of time: nothing is known.
 */
export function askHealth(host: string, port: number, serverName?: string): Promise<{ tls: boolean; response: EdgeResponse } | null | 'late'> {
  return new Promise((resolve) => {
    let pending = 2;
    let late = false;
    let settled = false;
    const stop = new AbortController();
    const settle = (value: { tls: boolean; response: EdgeResponse } | null | 'late') => { if (!settled) { settled = true; stop.abort(); resolve(value); } };
    const done = () => { if (--pending === 0) settle(late ? 'late' : null); };
    for (const tls of [true, false]) {
      edgeGet({ host, port, tls, path: '/health', serverName, timeoutMs: PROBE_TIMEOUT_MS, signal: stop.signal }).then((response) => {
        if (isGatewayHealth(response)) settle({ tls, response });
        else if (!tls && !WANTS_TLS.test(response.body)) settle(null);
        done();
      }, (error: Error) => {
        if (/^no answer within/.test(error.message)) late = true;
        done();
      });
    }
  });
}

const VERSIONS: SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** Whether a handshake pinned to one version completes; security level 0 so OpenSSL 3 may offer 1.0/1.1 at all. */
export function acceptsVersion(host: string, port: number, version: SecureVersion, serverName?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host, port, servername: serverName, minVersion: version, maxVersion: version, ciphers: 'DEFAULT:@SECLEVEL=0', rejectUnauthorized: false, timeout: PROBE_TIMEOUT_MS });
    const finish = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.once('secureConnect', () => finish(socket.getProtocol() === version));
    socket.once('error', () => finish(false));
    socket.once('timeout', () => finish(false));
  });
}

const name = (subject: PeerCertificate['subject'] | undefined) => (subject ? Object.entries(subject).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ') : '');

/** Certificate and HSTS facts of a TLS edge, with every protocol version tried on its own. */
export async function tlsFacts(host: string, port: number, response: EdgeResponse, now: Date, serverName?: string): Promise<TlsFacts> {
  const chain = response.tls?.chain ?? [];
  const leaf = chain[0];
  const versions = await Promise.all(VERSIONS.map(async (version) => ({ version, accepted: await acceptsVersion(host, port, version, serverName) })));
  const validTo = leaf?.valid_to ? new Date(leaf.valid_to) : null;
  const validFrom = leaf?.valid_from ? new Date(leaf.valid_from) : null;
  return {
    versions: versions as TlsFacts['versions'],
    subject: leaf ? name(leaf.subject) : null,
    issuer: leaf ? name(leaf.issuer) : null,
    selfSigned: leaf ? name(leaf.subject) === name(leaf.issuer) && chain.length <= 1 : false,
    chain: chain.map((c) => name(c.subject)),
    san: (leaf?.subjectaltname ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    validFrom: validFrom?.toISOString() ?? null,
    validTo: validTo?.toISOString() ?? null,
    daysToExpiry: validTo ? Math.floor((validTo.getTime() - now.getTime()) / DAY_MS) : null,
    ageDays: validFrom ? Math.floor((now.getTime() - validFrom.getTime()) / DAY_MS) : null,
    hsts: response.headers['strict-transport-security'] ?? null,
  };
}

/**
 * The gateway's uptime as seen through a listener (`/startupz` shows it to
 * local, unforwarded callers): equal uptimes mean the same gateway, so an
 * edge in front of another gateway on this Mac is not taken for this one's.
 */
export async function uptimeThrough(host: string, port: number, tls: boolean, serverName?: string): Promise<number | null> {
  try {
    const response = await edgeGet({ host, port, tls, path: '/startupz', serverName, timeoutMs: PROBE_TIMEOUT_MS });
    const body = JSON.parse(response.body) as { uptimeMs?: unknown };
    return typeof body.uptimeMs === 'number' ? body.uptimeMs : null;
  } catch { return null; }
}

/** An edge found answering the gateway's health, before the forwarded-header test. */
export type FoundEdge = Omit<ProxyEdge, 'forgedHeader' | 'severity' | 'upstream' | 'notes'> & { host: string; serverName?: string };

const LATE = `no answer to /health within ${PROBE_TIMEOUT_MS} ms`;

/** Whether a line of edges' `unavailable` names an edge that ran out of time (nothing is known of it). */
export const isLateEdge = (line: string) => line.startsWith('edge ') && line.endsWith(LATE);

/**
 * Asks each candidate for the gateway's /health (a few at a time) and keeps
 * the ones that answer as the gateway; `late` lists those that ran out of
 * time, which the next look asks again.
 */
export async function findEdges(candidates: Listener[], now: Date): Promise<{ found: FoundEdge[]; late: string[] }> {
  const found: FoundEdge[] = [];
  const late: string[] = [];
  const queue = [...candidates];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const host = dialAddress(next);
      const answer = await askHealth(host, next.port);
      if (answer === 'late') late.push(`edge ${next.process} :${next.port}: ${LATE}`);
      if (!answer || answer === 'late') continue;
      const hostPart = host.includes(':') ? `[${host}]` : host;
      found.push({
        url: `${answer.tls ? 'https' : 'http'}://${hostPart}:${next.port}/`, host, address: next.address, port: next.port, exposure: next.exposure,
        process: next.process, pid: next.pid, server: answer.response.headers.server ?? null, source: 'listener',
        tls: answer.tls ? await tlsFacts(host, next.port, answer.response, now) : null,
      });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { found: found.sort((a, b) => a.port - b.port), late: late.sort() };
}

/** `--edge URL`: an edge that runs elsewhere, asked the same way; null when it does not answer as the gateway. */
export async function givenEdge(url: string, now: Date): Promise<FoundEdge | { url: string; error: string }> {
  const parsed = new URL(url);
  const tls = parsed.protocol === 'https:';
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const port = Number(parsed.port || (tls ? 443 : 80));
  const serverName = /^[\d.]+$|:/.test(host) ? undefined : host;
  try {
    const response = await edgeGet({ host, port, tls, path: '/health', serverName, timeoutMs: 3_000 });
    if (!isGatewayHealth(response)) return { url, error: `answered HTTP ${response.status}, not the gateway's health response` };
    return {
      url, host, serverName, address: host, port, exposure: classifyAddress(host).exposure, process: null, pid: null, server: response.headers.server ?? null,
      source: 'given', tls: tls ? await tlsFacts(host, port, response, now, serverName) : null,
    };
  } catch (error) {
    return { url, error: (error as Error).message };
  }
}
