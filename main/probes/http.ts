import type { Socket } from 'node:net';
// undici's HTTP/1.1 client alone, driven through its dispatcher interface: the package's index also loads fetch,
// pools, caches and mocks — five times the modules, all of it start-up time for every probe child.
import Client from 'undici/lib/dispatcher/client.js';
import { between, ProbeFailure, remaining, type Prober } from './state.ts';

const MAX_BODY = 64 * 1024;
const USER_AGENT = 'clawbar-probe/0.1';

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** At most MAX_BODY bytes; the rest is read and dropped. */
  body: string;
  /** performance.now() when the first response byte reached the parser (curl's time_starttransfer). */
  firstByteAt: number;
}

/** One request through the client's dispatcher interface, the body kept up to MAX_BODY. */
function send(client: Client, options: { path: string; headers: Record<string, string> }): Promise<Response> {
  return new Promise((resolve, reject) => {
    let firstByteAt = 0;
    let status = 0;
    let headers: Response['headers'] = {};
    const chunks: Buffer[] = [];
    let size = 0;
    client.dispatch({ method: 'GET', ...options }, {
      // undici wants every handler to take the request's start, even one with nothing to do then.
      onRequestStart: () => {},
      onResponseStarted: () => { firstByteAt ||= performance.now(); },
      onResponseStart: (_controller, statusCode, responseHeaders) => {
        // 1xx answers are interim: the response is the one after them.
        if (statusCode < 200) return;
        status = statusCode;
        headers = responseHeaders;
      },
      onResponseData: (_controller, chunk) => {
        if (size < MAX_BODY) chunks.push(chunk.subarray(0, MAX_BODY - size));
        size += chunk.length;
      },
      onResponseEnd: () => resolve({ status, headers, body: Buffer.concat(chunks).toString('utf8'), firstByteAt: firstByteAt || performance.now() }),
      onResponseError: (_controller, error) => reject(error),
    });
  });
}

/** The gateway's `/readyz` body: `{ ready, failing: [...] }`. */
export function parseReady(body: string): { ready: boolean; failing: string[] } | null {
  try {
    const data = JSON.parse(body) as { ready?: unknown; failing?: unknown };
    if (typeof data.ready !== 'boolean') return null;
    return { ready: data.ready, failing: Array.isArray(data.failing) ? data.failing.filter((f): f is string => typeof f === 'string') : [] };
  } catch {
    return null;
  }
}

/**
 * One GET over the socket the earlier phases opened, through undici (the
 * client library the gateway itself uses), so the HTTP layer is timed apart
 * from DNS, connect, proxy and TLS. Time to first byte runs from the end of
 * the previous phase to the first response byte undici's parser sees, as
 * curl's starttransfer − appconnect. Records status, Date and Server headers, and
 * for the gateway's readiness endpoint its `failing` list.
 */
export const probeHttp: Prober = async (state) => {
  state.progress('http');
  const socket = state.socket as Socket;
  const from = state.phaseEnd ?? performance.now();
  const origin = `${state.secure ? 'https' : 'http'}://${state.url.host}`;
  const budget = remaining(state);
  const client = new Client(origin, {
    // undici stalls when the connector calls back synchronously; defer one tick.
    connect: (_options, callback) => { process.nextTick(() => callback(null, socket)); },
    headersTimeout: budget,
    bodyTimeout: budget,
    pipelining: 0,
  });
  try {
    const response = await send(client, {
      path: `${state.url.pathname}${state.url.search}`,
      headers: { host: state.url.host, 'user-agent': USER_AGENT, accept: '*/*' },
    });
    state.result.phases.ttfbMs = between(from, response.firstByteAt);
    const header = (name: string) => {
      const value = response.headers[name];
      return Array.isArray(value) ? value[0] ?? null : value ?? null;
    };
    const body = response.body;
    state.result.http = { status: response.status, date: header('date'), server: header('server') };
    if (state.target.kind === 'gateway-ready') state.result.ready = parseReady(body);
    const contentType = header('content-type') ?? '';
    state.httpBody = { text: body.slice(0, 4096), contentType, retryAfter: header('retry-after') };
  } catch (error) {
    if (error instanceof ProbeFailure) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
    throw new ProbeFailure('http', code === 'UND_ERR_HEADERS_TIMEOUT' ? 'ETIMEDOUT' : code, `HTTP request failed: ${(error as Error).message}`);
  } finally {
    // Not awaited: closing is not part of the transfer, and curl's total ends before it too.
    client.destroy().catch(() => {});
  }
};
