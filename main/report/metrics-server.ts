import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';

/** The only address the endpoint binds: the app's own listener must pass its own listener audit. */
const METRICS_HOST = '127.0.0.1';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A scrape is one short request every 15 s or so; these bounds keep sockets
 * that never finish a request (idle, or sending headers a byte at a time) from
 * starving it. Tests pass shorter ones.
 */
export interface MetricsLimits {
  /** Open sockets kept; past it the oldest one not serving a request is closed to make room. */
  maxConnections: number;
  /** A socket with nothing in flight for this long is closed. */
  idleTimeoutMs: number;
  /** Time to send the request headers. */
  headersTimeoutMs: number;
  /** Time to send the whole request. */
  requestTimeoutMs: number;
}

export const METRICS_LIMITS: MetricsLimits = { maxConnections: 16, idleTimeoutMs: 5_000, headersTimeoutMs: 3_000, requestTimeoutMs: 5_000 };

const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Names a browser could use against a loopback port: anything else in Host is
 * a DNS-rebinding attempt from a web page, and gets 421. An SSH tunnel
 * (`ssh -L 9464:127.0.0.1:9464`) arrives as localhost or 127.0.0.1.
 */
function loopbackHost(host: string | undefined): boolean {
  const name = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  return name === '127.0.0.1' || name === 'localhost' || name === '[::1]';
}

/**
 * Serves `GET /metrics` on 127.0.0.1 only, from the text the app's schedule
 * last rendered (`current()`), so a scrape never waits for probes. The body is
 * gauges only with `# EOF`, valid as OpenMetrics and as Prometheus text, so
 * the content type follows the scraper's Accept header.
 */
export function startMetricsServer(options: { port: number; current: () => string; limits?: Partial<MetricsLimits> }): Promise<MetricsServer> {
  const limits = { ...METRICS_LIMITS, ...options.limits };
  // Open sockets, oldest first, and those serving a request right now.
  const open = new Set<Socket>();
  const busy = new Set<Socket>();
  // Node enforces the header and request timeouts only when it sweeps its connections, every 30 s by default.
  const sweepMs = Math.max(100, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 2)));
  const server: Server = createServer({ connectionsCheckingInterval: sweepMs, maxHeaderSize: 8 * 1024, requestTimeout: limits.requestTimeoutMs }, (req, res) => {
    busy.add(req.socket);
    res.once('close', () => busy.delete(req.socket));
    if (!loopbackHost(req.headers.host)) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('misdirected request\n');
      return;
    }
    if (req.url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const body = options.current();
    const type = /application\/openmetrics-text/.test(req.headers.accept ?? '') ? OPENMETRICS : PROMETHEUS_TEXT;
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => { open.delete(socket); busy.delete(socket); });
    if (open.size <= limits.maxConnections) return;
    // A refused newcomer would let whoever holds idle sockets shut scrapes out; the oldest idle one goes instead.
    const idle = [...open].find((s) => !busy.has(s) && s !== socket);
    (idle ?? socket).destroy();
  });
  server.headersTimeout = limits.headersTimeoutMs;
  server.keepAliveTimeout = Math.min(limits.idleTimeoutMs, 5_000);
  server.setTimeout(limits.idleTimeoutMs);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: METRICS_HOST, exclusive: true }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : options.port,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    });
  });
}
