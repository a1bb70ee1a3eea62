import { createSocket, type Socket } from 'node:dgram';
import { freePort } from './peer.ts';

/** Seconds from the NTP era 0 epoch (1900) to the Unix epoch. */
const NTP_EPOCH_OFFSET_S = 2_208_988_800;
const PACKET_BYTES = 48;

/** Sub-millisecond wall clock, so a 50 ms tolerance is not eaten by rounding. */
const nowMs = (): number => performance.timeOrigin + performance.now();

/** Writes a Unix time in ms as a 64-bit NTP timestamp at `offset`. */
export function writeNtpTime(buffer: Buffer, offset: number, unixMs: number): void {
  const seconds = Math.floor(unixMs / 1000);
  const fraction = Math.floor(((unixMs - seconds * 1000) / 1000) * 2 ** 32);
  buffer.writeUInt32BE((seconds + NTP_EPOCH_OFFSET_S) >>> 0, offset);
  buffer.writeUInt32BE(fraction >>> 0, offset + 4);
}

/** Reads a 64-bit NTP timestamp as Unix time in ms (era 0, good until 2036). */
export function readNtpTime(buffer: Buffer, offset: number): number {
  return (buffer.readUInt32BE(offset) - NTP_EPOCH_OFFSET_S) * 1000 + (buffer.readUInt32BE(offset + 4) / 2 ** 32) * 1000;
}

export interface SntpReply {
  leap: number;
  version: number;
  mode: number;
  stratum: number;
  /** Server clock minus ours, RFC 4330 section 5: ((T2 - T1) + (T3 - T4)) / 2. */
  offsetMs: number;
  roundTripMs: number;
  /** Whether the reply echoed our transmit timestamp, as a real server must. */
  originateMatches: boolean;
}

/**
 * One SNTP client exchange for tests: a 48-byte mode-3 packet and the parsed
 * reply. Rejects after `timeoutMs`, which is what a blocked or silent server looks like.
 */
export function sntpQuery(host: string, port: number, timeoutMs = 2_000): Promise<SntpReply> {
  return new Promise((resolve, reject) => {
    const socket: Socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const request = Buffer.alloc(PACKET_BYTES);
    request[0] = (0 << 6) | (4 << 3) | 3;
    const t1 = nowMs();
    writeNtpTime(request, 40, t1);
    const timer = setTimeout(() => { socket.close(); reject(new Error(`no SNTP reply from ${host}:${port} within ${timeoutMs} ms`)); }, timeoutMs);
    socket.on('error', (error) => { clearTimeout(timer); socket.close(); reject(error); });
    socket.on('message', (reply) => {
      const t4 = nowMs();
      if (reply.length < PACKET_BYTES) return;
      clearTimeout(timer);
      socket.close();
      const t2 = readNtpTime(reply, 32);
      const t3 = readNtpTime(reply, 40);
      resolve({
        leap: reply[0]! >> 6,
        version: (reply[0]! >> 3) & 7,
        mode: reply[0]! & 7,
        stratum: reply[1]!,
        offsetMs: ((t2 - t1) + (t3 - t4)) / 2,
        roundTripMs: (t4 - t1) - (t3 - t2),
        originateMatches: reply.subarray(24, 32).equals(request.subarray(40, 48)),
      });
    });
    socket.send(request, port, host);
  });
}

export interface SntpServerOptions {
  /** Added to our clock in every timestamp the server sends. */
  offsetMs: number;
  /** Default 2, as a server synced to an upstream would say. */
  stratum?: number;
  host?: '127.0.0.1' | '::1';
  /** Receive and never answer, like a firewall that drops UDP 123. */
  silent?: boolean;
}

export interface RunningSntpServer {
  port: number;
  /** How many client packets arrived, answered or not. */
  requests(): number;
  stop(): Promise<void>;
}

function bindUdp(socket: Socket, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => { socket.off('error', reject); resolve(); });
  });
}

/**
 * An in-process SNTP server (RFC 4330) whose clock is ours plus `offsetMs`,
 * so clock-skew checks can be tested without touching the system clock.
 * The port comes from freePort(); that checks TCP, so a UDP clash is retried.
 */
export async function startSntpServer(options: SntpServerOptions): Promise<RunningSntpServer> {
  const host = options.host ?? '127.0.0.1';
  const stratum = options.stratum ?? 2;
  let requests = 0;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort(host);
    const socket = createSocket(host === '::1' ? 'udp6' : 'udp4');
    try {
      await bindUdp(socket, port, host);
    } catch {
      socket.close();
      continue;
    }
    socket.on('message', (request, from) => {
      // Only client-mode packets get an answer; anything else is not SNTP for us.
      if (request.length < PACKET_BYTES || (request[0]! & 7) !== 3) return;
      requests++;
      if (options.silent) return;
      const received = nowMs() + options.offsetMs;
      const reply = Buffer.alloc(PACKET_BYTES);
      reply[0] = (0 << 6) | (request[0]! & 0x38) | 4;
      reply[1] = stratum;
      reply[2] = request[2]!;
      reply.writeInt8(-20, 3);
      reply.writeUInt32BE(0x0000_0010, 8);
      reply.write('LOCL', 12, 'latin1');
      writeNtpTime(reply, 16, received - 1_000);
      request.copy(reply, 24, 40, 48);
      writeNtpTime(reply, 32, received);
      writeNtpTime(reply, 40, nowMs() + options.offsetMs);
      socket.send(reply, from.port, from.address);
    });
    socket.on('error', () => { /* a stray ICMP error must not crash the test run */ });
    return {
      port,
      requests: () => requests,
      stop: () => new Promise((resolve) => socket.close(() => resolve())),
    };
  }
  throw new Error(`no free UDP port on ${host}`);
}
