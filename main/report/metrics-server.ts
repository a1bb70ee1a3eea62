import { createServer, type Server } from 'node:http';

/** The only address the endpoint binds: the app's own listener must pass its own listener audit. */
const METRICS_HOST = '127.0.0.1';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

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
export function startMetricsServer(options: { port: number; current: () => string }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
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
  // A metrics endpoint needs few, short connections; these bounds keep a stuck client from holding it.
  server.maxConnections = 16;
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
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
