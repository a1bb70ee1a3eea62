/**
 * A WAN stand-in for loopback: a TCP relay on 127.0.0.1 that holds every
 * chunk for `delayMs` in each direction before passing it on, so a request
 * and its answer take about two delays (50 ms round trip at the default 25).
 * The machine's kernel has no netem, hence a relay in user space — which
 * cannot hold the TCP handshake itself (the kernel completes it before the
 * relay accepts): connect times stay loopback's, every byte after is delayed.
 *
 * Runs in a process of its own (`node latency-relay.ts UPSTREAM_PORT DELAY_MS
 * PORT`), so the timers that release the chunks do not wait behind whatever
 * the measuring process is doing. Loopback only, both sides.
 */
import { connect, createServer, type Socket } from 'node:net';
import { freePort, Peer } from './peer.ts';

/** Copies `from` to `to`, each chunk (and the end) `delayMs` after it arrived, in order. */
function delayed(from: Socket, to: Socket, delayMs: number): void {
  from.on('data', (chunk: Buffer) => { setTimeout(() => { if (!to.destroyed) to.write(chunk); }, delayMs); });
  from.on('end', () => { setTimeout(() => { if (!to.destroyed) to.end(); }, delayMs); });
  from.on('error', () => {});
  from.on('close', () => { setTimeout(() => to.destroy(), delayMs); });
}

function serve(upstreamPort: number, delayMs: number, port: number): void {
  createServer((client) => {
    client.setNoDelay(true);
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort, noDelay: true });
    delayed(client, upstream, delayMs);
    delayed(upstream, client, delayMs);
  }).listen(port, '127.0.0.1', () => process.stdout.write(`relaying 127.0.0.1:${port} -> 127.0.0.1:${upstreamPort}, ${delayMs} ms each way\n`));
}

export interface RunningRelay {
  port: number;
  delayMs: number;
  stop: () => Promise<void>;
}

/**
 * Starts a relay to 127.0.0.1:`upstreamPort` and waits until it accepts
 * connections. `port` reuses the port of a relay stopped before, so the same
 * URL meets another delay (a baseline taken, then the path slowed).
 */
export async function startLatencyRelay(options: { upstreamPort: number; delayMs?: number; port?: number }): Promise<RunningRelay> {
  const delayMs = options.delayMs ?? 25;
  const port = options.port ?? await freePort();
  const peer = new Peer({ name: 'latency-relay', command: process.execPath, args: [import.meta.filename, String(options.upstreamPort), String(delayMs), String(port)] });
  await peer.start();
  await peer.ready(() => new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  }), 10_000);
  return { port, delayMs, stop: () => peer.stop() };
}

if (import.meta.main) {
  const [upstreamPort, delayMs, port] = process.argv.slice(2).map(Number);
  if (!upstreamPort || delayMs === undefined || Number.isNaN(delayMs) || !port) {
    process.stderr.write('usage: latency-relay.ts UPSTREAM_PORT DELAY_MS PORT\n');
    process.exit(64);
  }
  serve(upstreamPort, delayMs, port);
}
