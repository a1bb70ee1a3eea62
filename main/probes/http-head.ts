import type { Socket } from 'node:net';
import { ProbeFailure, type Phase } from './state.ts';

export interface ResponseHead {
  status: number;
  reason: string;
  headers: Record<string, string>;
  rest: Buffer;
}

const MAX_HEAD = 32 * 1024;

/**
 * Reads one HTTP/1.x response head (status line + headers) from a raw socket:
 * what a proxy answers to CONNECT, or a server to a WebSocket upgrade.
 * Bounded in size and time; leaves the socket open and paused.
 */
export function readResponseHead(socket: Socket, phase: Phase, timeoutMs: number): Promise<ResponseHead> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.pause();
    };
    const fail = (error: ProbeFailure) => { cleanup(); reject(error); };
    const timer = setTimeout(() => fail(new ProbeFailure(phase, 'ETIMEDOUT', `no ${phase} response within ${timeoutMs} ms`)), timeoutMs);
    const onError = (error: NodeJS.ErrnoException) => fail(new ProbeFailure(phase, error.code ?? 'ERROR', `${phase} failed: ${error.message}`));
    const onClose = () => fail(new ProbeFailure(phase, 'ECONNRESET', `the connection closed before a ${phase} response arrived`));
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > MAX_HEAD) fail(new ProbeFailure(phase, 'EPROTO', `${phase} response head is larger than ${MAX_HEAD} bytes`));
        return;
      }
      const [statusLine = '', ...lines] = buffered.subarray(0, end).toString('latin1').split('\r\n');
      const match = /^HTTP\/\d(?:\.\d)?\s+(\d{3})\s*(.*)$/.exec(statusLine);
      if (!match) return fail(new ProbeFailure(phase, 'EPROTO', `not an HTTP response: ${JSON.stringify(statusLine.slice(0, 60))}`));
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      cleanup();
      resolve({ status: Number(match[1]), reason: match[2] ?? '', headers, rest: buffered.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.resume();
  });
}
