import { createHash, randomBytes } from 'node:crypto';
import { readResponseHead } from './http-head.ts';
import { elapsed, ProbeFailure, remaining, type Prober } from './state.ts';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The Sec-WebSocket-Accept a server must return for a key (RFC 6455 §4.2.2). */
export const acceptFor = (key: string) => createHash('sha1').update(key + GUID).digest('base64');

/**
 * The WebSocket opening handshake over the socket the earlier phases opened
 * (direct or through the proxy tunnel): a 101 with the right
 * Sec-WebSocket-Accept proves the path carries upgrades. Then a close frame.
 */
export const probeWebSocket: Prober = async (state) => {
  state.progress('websocket');
  const socket = state.socket!;
  const key = randomBytes(16).toString('base64');
  const started = state.phaseEnd ?? performance.now();
  socket.write([
    `GET ${state.url.pathname}${state.url.search} HTTP/1.1`,
    `Host: ${state.url.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
    'User-Agent: clawbar-probe/0.1',
    '', '',
  ].join('\r\n'));
  const head = await readResponseHead(socket, 'websocket', remaining(state));
  // Timed from the end of the previous phase, as the HTTP probe's first byte.
  state.result.phases.ttfbMs = elapsed(started);
  state.result.http = { status: head.status, date: head.headers.date ?? null, server: head.headers.server ?? null };
  const upgraded = head.status === 101 && head.headers['sec-websocket-accept'] === acceptFor(key);
  state.result.websocket = { status: head.status, upgraded };
  if (!upgraded) {
    socket.destroy();
    const why = head.status === 101 ? 'a wrong Sec-WebSocket-Accept' : `${head.status} ${head.reason}`;
    throw new ProbeFailure('websocket', `WS_${head.status}`, `the WebSocket upgrade was refused: ${why}`, head.status);
  }
  // A masked close frame (status 1000), so the server sees a clean goodbye.
  const mask = randomBytes(4);
  const payload = Buffer.from([0x03, 0xe8]).map((byte, i) => byte ^ mask[i % 4]!);
  socket.end(Buffer.concat([Buffer.from([0x88, 0x82]), mask, payload]));
};
