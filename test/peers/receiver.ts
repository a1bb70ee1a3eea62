import { createServer, type IncomingHttpHeaders } from 'node:http';

export interface Received {
  at: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or null. */
  json: unknown;
}

export interface Receiver {
  port: number;
  url: (path: string) => string;
  received: Received[];
  /** Requests to one path (method and body kept). */
  on: (path: string) => Received[];
  /** Answer this status on a path from now on (503 to make a notifier fail). */
  answer: (path: string, status: number) => void;
  close: () => Promise<void>;
}

/**
 * An HTTP receiver on 127.0.0.1 that records every request (webhooks, Slack
 * bodies, heartbeats, Alertmanager's own webhook notifications) and answers
 * 200 unless told otherwise.
 */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const statuses = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try { json = JSON.parse(body); } catch { /* not JSON */ }
      const path = (req.url ?? '/').split('?')[0]!;
      received.push({ at: Date.now(), method: req.method ?? '', path, headers: req.headers, body, json });
      res.statusCode = statuses.get(path) ?? 200;
      res.end(res.statusCode === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    on: (path) => received.filter((r) => r.path === path),
    answer: (path, status) => { statuses.set(path, status); },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
