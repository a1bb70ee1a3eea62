import http from 'node:http';
import https from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';

/**
 * One bounded HTTP(S) GET with the exact headers given, from an optional
 * local source address, keeping the peer's certificate chain: what the edge
 * checks need and fetch does not expose. Certificates are not verified here;
 * their facts are reported instead.
 */
export interface EdgeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The negotiated protocol and the chain, leaf first, for TLS. */
  tls: { protocol: string | null; chain: PeerCertificate[] } | null;
}

export interface EdgeRequest {
  host: string;
  port: number;
  tls: boolean;
  path: string;
  /** SNI and Host; defaults to the host (an IP address is never sent as SNI). */
  serverName?: string;
  headers?: Record<string, string>;
  localAddress?: string;
  timeoutMs: number;
  /** Ends the request early when another answer already settled the question. */
  signal?: AbortSignal;
}

/** Enough for health JSON and an error page; a hostile listener cannot make clawbar buffer more. */
const MAX_BODY = 64 * 1024;

function chainOf(socket: TLSSocket): PeerCertificate[] {
  const chain: PeerCertificate[] = [];
  let cert = socket.getPeerCertificate(true) as PeerCertificate & { issuerCertificate?: PeerCertificate };
  const seen = new Set<string>();
  while (cert && Object.keys(cert).length > 0 && chain.length < 10 && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert);
    cert = (cert as { issuerCertificate?: PeerCertificate }).issuerCertificate as typeof cert;
  }
  return chain;
}

export function edgeGet(request: EdgeRequest): Promise<EdgeResponse> {
  const hostHeader = request.serverName ?? (request.host.includes(':') ? `[${request.host}]` : request.host);
  const sni = request.serverName ?? (/^[\d.]+$|:/.test(request.host) ? undefined : request.host);
  const options: https.RequestOptions = {
    host: request.host, port: request.port, path: request.path, method: 'GET', agent: false,
    headers: { host: hostHeader, 'user-agent': 'clawbar-edges/0.1', connection: 'close', ...request.headers },
    localAddress: request.localAddress, timeout: request.timeoutMs, signal: request.signal,
    ...(request.tls ? { servername: sni, rejectUnauthorized: false, ciphers: 'DEFAULT:@SECLEVEL=0', minVersion: 'TLSv1' as const } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (request.tls ? https : http).request(options, (res) => {
      const socket = res.socket as TLSSocket;
      const tls = request.tls ? { protocol: socket.getProtocol?.() ?? null, chain: chainOf(socket) } : null;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY) chunks.push(chunk);
        else res.destroy();
      });
      const done = () => {
        const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]));
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8'), tls });
      };
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${request.timeoutMs} ms`)), request.timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${request.timeoutMs} ms`)));
    req.on('error', (error) => { clearTimeout(timer); reject(error); });
    req.on('close', () => clearTimeout(timer));
    req.end();
  });
}

/** OpenClaw's liveness answer: `{"ok":true,"status":"live"}` on /health. */
export function isGatewayHealth(response: { status: number; body: string }): boolean {
  if (response.status !== 200) return false;
  try {
    const body = JSON.parse(response.body) as { ok?: unknown; status?: unknown };
    return body.ok === true && body.status === 'live';
  } catch { return false; }
}
