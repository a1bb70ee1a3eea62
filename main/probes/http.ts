import type { Socket } from 'node:net';
import { Client } from 'undici';
import { between, ProbeFailure, remaining, type Prober } from './state.ts';

const MAX_BODY = 64 * 1024;
const USER_AGENT = 'clawbar-probe/0.1';

/** Reads at most `limit` bytes of a body and discards the rest. */
async function readSome(body: AsyncIterable<Buffer>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < limit) chunks.push(chunk.subarray(0, limit - size));
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString('utf8');
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

/** performance.now() when the socket first has response bytes to read (curl's time_starttransfer). */
function firstByte(socket: Socket): () => number | null {
  let at: number | null = null;
  const onReadable = () => {
    if (socket.readableLength === 0) return;
    at = performance.now();
    socket.off('readable', onReadable);
  };
  socket.on('readable', onReadable);
  return () => { socket.off('readable', onReadable); return at; };
}

/**
 * One GET over the socket the earlier phases opened, through undici (the
 * client library the gateway itself uses), so the HTTP layer is timed apart
 * from DNS, connect, proxy and TLS. Time to first byte runs from the end of
 * the previous phase to the first response byte on the socket, as curl's
 * starttransfer − appconnect. Records status, Date and Server headers, and
 * for the gateway's readiness endpoint its `failing` list.
 */
export const probeHttp: Prober = async (state) => {
  state.progress('http');
  const socket = state.socket as Socket;
  const from = state.phaseEnd ?? performance.now();
  const firstByteAt = firstByte(socket);
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
    const response = await client.request({
      method: 'GET',
      path: `${state.url.pathname}${state.url.search}`,
      headers: { host: state.url.host, 'user-agent': USER_AGENT, accept: '*/*' },
    });
    state.result.phases.ttfbMs = between(from, firstByteAt() ?? performance.now());
    const header = (name: string) => {
      const value = response.headers[name];
      return Array.isArray(value) ? value[0] ?? null : value ?? null;
    };
    const body = await readSome(response.body, MAX_BODY);
    state.result.http = { status: response.statusCode, date: header('date'), server: header('server') };
    if (state.target.kind === 'gateway-ready') state.result.ready = parseReady(body);
    const contentType = header('content-type') ?? '';
    state.httpBody = { text: body.slice(0, 4096), contentType, retryAfter: header('retry-after') };
  } catch (error) {
    if (error instanceof ProbeFailure) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
    throw new ProbeFailure('http', code === 'UND_ERR_HEADERS_TIMEOUT' ? 'ETIMEDOUT' : code, `HTTP request failed: ${(error as Error).message}`);
  } finally {
    firstByteAt();
    // Not awaited: closing is not part of the transfer, and curl's total ends before it too.
    client.destroy().catch(() => {});
  }
};
