import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * A minimal RFC 4330 SNTP client. clawbar measures the clock itself instead of
 * trusting `sntp` output because the CLI is macOS-only, needs its banner and
 * formats parsed, and cannot tell "UDP 123 blocked" from other failures.
 */

/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch. */
export const NTP_UNIX_OFFSET_S = 2_208_988_800;
const ERA_S = 2 ** 32;
const PACKET_BYTES = 48;
const MAX_SAMPLES = 16;

/** Failures callers branch on: ETIMEDOUT (no answer), EKOD (kiss-o'-death), EBADREPLY. */
export class SntpError extends Error {
  readonly code: string;
  /** The four-letter kiss code (RATE, DENY...) of a stratum-0 reply. */
  readonly kissCode: string | null;
  constructor(code: string, message: string, kissCode: string | null = null) {
    super(message);
    this.name = 'SntpError';
    this.code = code;
    this.kissCode = kissCode;
  }
}

/**
 * Unix ms → the 64-bit NTP wire form. Seconds wrap modulo 2^32 as the wire
 * does, so times after 2036-02-07 land in era 1 instead of overflowing.
 */
export function toNtpTimestamp(unixMs: number): { seconds: number; fraction: number } {
  const whole = Math.floor(unixMs / 1000);
  const fraction = Math.min(ERA_S - 1, Math.floor(((unixMs - whole * 1000) / 1000) * ERA_S));
  return { seconds: (((whole + NTP_UNIX_OFFSET_S) % ERA_S) + ERA_S) % ERA_S, fraction };
}

/**
 * NTP wire form → Unix ms. RFC 4330 section 3: a clear top bit means era 1
 * (2036–2104), which keeps the maths right across the 2036 rollover.
 */
export function fromNtpTimestamp(seconds: number, fraction: number): number {
  const eraSeconds = seconds >= 2 ** 31 ? seconds : seconds + ERA_S;
  return (eraSeconds - NTP_UNIX_OFFSET_S) * 1000 + (fraction / ERA_S) * 1000;
}

/** RFC 4330 section 5: offset is server minus local, so positive means our clock is behind. */
export function computeOffset(t1: number, t2: number, t3: number, t4: number): { offsetMs: number; roundTripMs: number } {
  return { offsetMs: ((t2 - t1) + (t3 - t4)) / 2, roundTripMs: (t4 - t1) - (t3 - t2) };
}

/** A 48-byte client request: LI 0, VN 4, mode 3, our time in the transmit field. */
export function buildRequest(transmitMs: number): Buffer {
  const packet = Buffer.alloc(PACKET_BYTES);
  packet[0] = (0 << 6) | (4 << 3) | 3;
  const { seconds, fraction } = toNtpTimestamp(transmitMs);
  packet.writeUInt32BE(seconds, 40);
  packet.writeUInt32BE(fraction, 44);
  return packet;
}

export interface ReplyFields {
  leap: number;
  version: number;
  mode: number;
  stratum: number;
  /** T2 and T3 in Unix ms. */
  receiveMs: number;
  transmitMs: number;
}

const readStamp = (packet: Buffer, at: number) => fromNtpTimestamp(packet.readUInt32BE(at), packet.readUInt32BE(at + 4));

/**
 * Checks a reply the way RFC 4330 section 5 asks. The originate check comes
 * first: a packet that does not echo our transmit timestamp is not an answer
 * to us, so even its kiss code must not be believed.
 */
export function validateReply(reply: Buffer, request: Buffer): ReplyFields {
  if (reply.length < PACKET_BYTES) throw new SntpError('EBADREPLY', `SNTP reply is ${reply.length} bytes, not ${PACKET_BYTES}`);
  if (!reply.subarray(24, 32).equals(request.subarray(40, 48))) {
    throw new SntpError('EORIGINATE', 'SNTP reply does not echo our transmit timestamp (stale or spoofed)');
  }
  const leap = reply[0]! >> 6;
  const version = (reply[0]! >> 3) & 7;
  const mode = reply[0]! & 7;
  const stratum = reply[1]!;
  if (mode !== 4 && mode !== 5) throw new SntpError('EBADREPLY', `SNTP reply has mode ${mode}, not 4 (server)`);
  if (stratum === 0) {
    const kiss = reply.subarray(12, 16).toString('latin1').replace(/[^\x20-\x7e]/g, '').trim() || '????';
    throw new SntpError('EKOD', `SNTP server sent kiss-o'-death ${kiss}${kiss === 'RATE' ? ' (asking us to query less often)' : ''}`, kiss);
  }
  if (stratum > 15) throw new SntpError('EBADREPLY', `SNTP server reports stratum ${stratum} (not synchronized)`);
  if (leap === 3) throw new SntpError('EBADREPLY', 'SNTP server reports its own clock as not synchronized (LI 3)');
  if (reply.readUInt32BE(40) === 0 && reply.readUInt32BE(44) === 0) throw new SntpError('EBADREPLY', 'SNTP reply has a zero transmit timestamp');
  return { leap, version, mode, stratum, receiveMs: readStamp(reply, 32), transmitMs: readStamp(reply, 40) };
}

/**
 * A wall clock with sub-millisecond steps. It is re-anchored to Date.now() for
 * every exchange because a long-running app must measure the clock other
 * processes see now, not performance.timeOrigin from when it started (which
 * misses every step the system clock took since). +0.5 undoes Date.now()'s flooring.
 */
export function wallClock(): () => number {
  const anchor = Date.now() + 0.5 - performance.now();
  return () => anchor + performance.now();
}

export interface SntpSample {
  offsetMs: number;
  roundTripMs: number;
  stratum: number;
  /** The address that answered. */
  server: string;
}

const label = (address: string, port: number) => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);

async function resolveHost(host: string, timeoutMs: number): Promise<string> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare)) return bare;
  let timer: NodeJS.Timeout | undefined;
  // dns.lookup has no timeout of its own; not ETIMEDOUT, which would read as "UDP 123 blocked".
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SntpError('EAI_AGAIN', `could not resolve ${bare} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return (await Promise.race([lookup(bare), expired])).address;
  } finally {
    clearTimeout(timer);
  }
}

function exchange(address: string, port: number, timeoutMs: number): Promise<SntpSample> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    const clock = wallClock();
    let request: Buffer | null = null;
    let t1 = 0;
    let ignored: string | null = null;
    let settled = false;
    const finish = (error: Error | null, sample?: SntpSample) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try { socket.close(); } catch { /* already closed */ }
      if (error) reject(error); else resolve(sample!);
    };
    const timer = setTimeout(() => finish(new SntpError('ETIMEDOUT',
      `no SNTP reply from ${label(address, port)} within ${timeoutMs} ms${ignored ? ` (ignored: ${ignored})` : ''}`)), timeoutMs);
    socket.on('error', (error) => finish(error));
    socket.on('message', (reply) => {
      const t4 = clock();
      if (!request) return;
      try {
        const fields = validateReply(reply, request);
        const { offsetMs, roundTripMs } = computeOffset(t1, fields.receiveMs, fields.transmitMs, t4);
        finish(null, { offsetMs, roundTripMs, stratum: fields.stratum, server: address });
      } catch (error) {
        // A stray or late packet is not our answer; keep waiting for the real one.
        if ((error as SntpError).code === 'EORIGINATE') ignored = (error as Error).message;
        else finish(error as Error);
      }
    });
    // connect() makes the kernel report ICMP port-unreachable as ECONNREFUSED instead of a silent timeout.
    socket.connect(port, address, () => {
      t1 = clock();
      request = buildRequest(t1);
      socket.send(request);
    });
  });
}

/**
 * One SNTP exchange with `host` (name, IPv4 or IPv6, brackets allowed),
 * bounded by `timeoutMs` including name resolution.
 */
export async function sntpSample(host: string, port: number, timeoutMs: number): Promise<SntpSample> {
  const started = Date.now();
  const address = await resolveHost(host, timeoutMs);
  return exchange(address, port, Math.max(1, timeoutMs - (Date.now() - started)));
}

/** Errors that another try might not repeat; anything else (DNS, refused, kiss) would. */
const RETRYABLE = new Set(['ETIMEDOUT', 'EBADREPLY']);

/**
 * Several sequential samples, keeping the one with the smallest round trip:
 * its offset has the least room for asymmetric network delay. Gives up after
 * two silent timeouts so a blocked UDP 123 costs 2×timeoutMs, not samples×timeoutMs.
 */
export async function sntpBest(host: string, port: number, options: { samples?: number; timeoutMs?: number } = {}): Promise<SntpSample & { answered: number; sent: number }> {
  const samples = Math.min(MAX_SAMPLES, Math.max(1, Math.floor(options.samples ?? 4)));
  const timeoutMs = options.timeoutMs ?? 1_500;
  const address = await resolveHost(host, timeoutMs);
  const answers: SntpSample[] = [];
  const errors: SntpError[] = [];
  let sent = 0;
  let silent = 0;
  while (sent < samples) {
    sent++;
    try {
      answers.push(await exchange(address, port, timeoutMs));
      silent = 0;
    } catch (error) {
      const failure = error as SntpError;
      errors.push(failure);
      if (!RETRYABLE.has(failure.code)) break;
      if (failure.code === 'ETIMEDOUT' && answers.length === 0 && ++silent >= 2) break;
    }
  }
  const best = answers.reduce<SntpSample | null>((a, b) => (a && a.roundTripMs <= b.roundTripMs ? a : b), null);
  if (best) return { ...best, answered: answers.length, sent };
  const decisive = errors.find((e) => e.code !== 'ETIMEDOUT');
  const where = label(address, port);
  if (!decisive) throw new SntpError('ETIMEDOUT', `no answer to ${sent} SNTP request(s) of ${timeoutMs} ms each from ${where}`);
  // Only a connected UDP socket learns of ICMP port-unreachable; say what it means.
  const why = decisive.code === 'ECONNREFUSED' ? 'port unreachable (nothing listens there)' : decisive.message;
  throw new SntpError(decisive.code ?? 'ERROR', `${where}: ${why}`, decisive.kissCode ?? null);
}

/** What the macOS `sntp` CLI printed: seconds converted to ms. */
export interface SntpCliResult {
  /** Server minus local, like our offset: positive means the Mac is behind. */
  offsetMs: number;
  errorMs: number;
  server: string;
  address: string | null;
}

const toMs = (seconds: string) => Math.round(Number(seconds) * 1e6) / 1e3;

/**
 * Parses `sntp [-sS] host` output: `+0.012345 +/- 0.023456 host addr`, with
 * or without the version banner line, and the Mojave form that prefixes a
 * local timestamp and appends `s2 no-leap`. The `(-0200)` zone prefix is not
 * an offset: the pattern needs whitespace, not `)`, before `+/-`.
 */
export function parseSntpOutput(text: string): SntpCliResult | null {
  for (const line of text.split('\n').slice(0, 50)) {
    const match = /(?:^|\s)([+-]?\d+(?:\.\d+)?)\s+\+\/-\s+(\d+(?:\.\d+)?)\s+(\S+)(?:\s+([0-9a-fA-F.:]+)(?=\s|$))?/.exec(line);
    if (match) return { offsetMs: toMs(match[1]!), errorMs: toMs(match[2]!), server: match[3]!, address: match[4] ?? null };
  }
  return null;
}
