import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  buildRequest, computeOffset, fromNtpTimestamp, NTP_UNIX_OFFSET_S, parseSntpOutput, SntpError, toNtpTimestamp, validateReply,
} from '../../../main/glance/sntp.ts';
import { clockBreaks, clockState, dateHeaderOffset, formatServer, parseNetworkTimeServer, parseServerSpec } from '../../../main/glance/clock.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'macos');

/** A server reply to `request` with the given receive/transmit times (Unix ms). */
function replyTo(request: Buffer, t2: number, t3: number, overrides: { first?: number; stratum?: number; refId?: string } = {}): Buffer {
  const reply = Buffer.alloc(48);
  reply[0] = overrides.first ?? ((0 << 6) | (4 << 3) | 4);
  reply[1] = overrides.stratum ?? 2;
  reply.write(overrides.refId ?? 'GPS\0', 12, 'latin1');
  request.copy(reply, 24, 40, 48);
  for (const [at, ms] of [[32, t2], [40, t3]] as const) {
    const { seconds, fraction } = toNtpTimestamp(ms);
    reply.writeUInt32BE(seconds, at);
    reply.writeUInt32BE(fraction, at + 4);
  }
  return reply;
}

describe('NTP timestamp maths', () => {
  it('round-trips Unix ms through the wire form to well under a microsecond', () => {
    for (const ms of [0, 1_700_000_000_123.456, Date.UTC(2035, 11, 31, 23, 59, 59, 999), Date.UTC(2040, 0, 1, 0, 0, 0, 250.5)]) {
      const { seconds, fraction } = toNtpTimestamp(ms);
      assert.ok(seconds >= 0 && seconds < 2 ** 32 && fraction >= 0 && fraction < 2 ** 32);
      assert.ok(Math.abs(fromNtpTimestamp(seconds, fraction) - ms) < 0.001, String(ms));
    }
  });

  it('puts the Unix epoch at 2208988800 s and rolls over into era 1 on 2036-02-07', () => {
    assert.deepEqual(toNtpTimestamp(0), { seconds: NTP_UNIX_OFFSET_S, fraction: 0 });
    assert.deepEqual(toNtpTimestamp(500), { seconds: NTP_UNIX_OFFSET_S, fraction: 2 ** 31 });
    const rollover = Date.UTC(2036, 1, 7, 6, 28, 16);
    assert.deepEqual(toNtpTimestamp(rollover), { seconds: 0, fraction: 0 });
    assert.equal(fromNtpTimestamp(0, 0), rollover);
    assert.equal(fromNtpTimestamp(2 ** 32 - 1, 0), rollover - 1_000);
  });

  it('computes offset and delay from four known timestamps (RFC 4330 section 5)', () => {
    // Server 5 s ahead; 40 ms out, 10 ms in the server, 60 ms back.
    const t1 = 1_000_000;
    const t2 = t1 + 5_000 + 40;
    const t3 = t2 + 10;
    const t4 = t1 + 40 + 10 + 60;
    assert.deepEqual(computeOffset(t1, t2, t3, t4), { offsetMs: 4_990, roundTripMs: 100 });
    // Symmetric paths give the exact offset; the error is half the asymmetry (here 10 ms).
    assert.deepEqual(computeOffset(0, -250 + 20, -250 + 21, 41), { offsetMs: -250, roundTripMs: 40 });
  });

  it('builds a 48-byte mode-3 NTPv4 request carrying our transmit time', () => {
    const request = buildRequest(1_700_000_000_000);
    assert.equal(request.length, 48);
    assert.equal(request[0], 0x23);
    assert.equal(fromNtpTimestamp(request.readUInt32BE(40), request.readUInt32BE(44)), 1_700_000_000_000);
  });
});

describe('SNTP reply validation', () => {
  const request = buildRequest(1_700_000_000_000);

  it('accepts a proper server reply and reads T2/T3', () => {
    const fields = validateReply(replyTo(request, 1_700_000_000_050, 1_700_000_000_051), request);
    assert.equal(fields.mode, 4);
    assert.equal(fields.stratum, 2);
    assert.ok(Math.abs(fields.receiveMs - 1_700_000_000_050) < 0.001);
    assert.ok(Math.abs(fields.transmitMs - 1_700_000_000_051) < 0.001);
  });

  it('rejects a reply whose originate timestamp is not our transmit', () => {
    const other = buildRequest(1_700_000_000_001);
    assert.throws(() => validateReply(replyTo(other, 1, 2), request), (error: SntpError) => error.code === 'EORIGINATE');
  });

  it('turns stratum 0 into a kiss-o\'-death error carrying the kiss code', () => {
    const kiss = replyTo(request, 1, 2, { stratum: 0, refId: 'RATE' });
    assert.throws(() => validateReply(kiss, request), (error: SntpError) => error.code === 'EKOD' && error.kissCode === 'RATE' && /RATE/.test(error.message));
  });

  it('rejects client-mode packets, stratum 16, LI 3, a zero transmit and short packets', () => {
    const bad = (reply: Buffer) => assert.throws(() => validateReply(reply, request), (error: SntpError) => error.code === 'EBADREPLY');
    bad(replyTo(request, 1, 2, { first: 0x23 }));
    bad(replyTo(request, 1, 2, { stratum: 16 }));
    bad(replyTo(request, 1, 2, { first: (3 << 6) | (4 << 3) | 4 }));
    const zero = replyTo(request, 1, 2);
    zero.fill(0, 40, 48);
    bad(zero);
    bad(Buffer.alloc(20));
    assert.equal(validateReply(replyTo(request, 1, 2, { first: (4 << 3) | 5 }), request).mode, 5);
  });
});

describe('macOS sntp output', () => {
  it('parses the plain form', async () => {
    assert.deepEqual(parseSntpOutput(await readFile(join(FIXTURES, 'sntp-1.txt'), 'utf8')),
      { offsetMs: 171.773, errorMs: 105.399, server: 'time.apple.com', address: '17.253.60.45' });
  });

  it('skips the version banner', async () => {
    assert.deepEqual(parseSntpOutput(await readFile(join(FIXTURES, 'sntp-banner-1.txt'), 'utf8')),
      { offsetMs: 7.475, errorMs: 21.068, server: 'time.apple.com', address: '17.253.6.253' });
  });

  it('reads the Mojave -sS form past its timestamp and zone, ignoring "s2 no-leap"', async () => {
    assert.deepEqual(parseSntpOutput(await readFile(join(FIXTURES, 'sntp-ss-mojave-1.txt'), 'utf8')),
      { offsetMs: 1_087_742.403, errorMs: 725_183.462, server: 'pool.ntp.org', address: '188.68.36.203' });
  });

  it('returns null for errors and banners alone', () => {
    assert.equal(parseSntpOutput('sntp 4.2.8p15@1.3728-o Wed Feb  1 20:07:53 UTC 2023 (1)\n'), null);
    assert.equal(parseSntpOutput('sntp: Exchange failed: Timeout\n'), null);
    assert.equal(parseSntpOutput(''), null);
    assert.equal(parseSntpOutput('-0.5 +/- 0.1 ntp.example')?.offsetMs, -500);
  });
});

describe('clock helpers', () => {
  it('parses server specs in every form and formats them back', () => {
    assert.deepEqual(parseServerSpec('time.apple.com'), { host: 'time.apple.com', port: 123 });
    assert.deepEqual(parseServerSpec('127.0.0.1:1123'), { host: '127.0.0.1', port: 1123 });
    assert.deepEqual(parseServerSpec('[::1]:1123'), { host: '::1', port: 1123 });
    assert.deepEqual(parseServerSpec('[fe80::1]'), { host: 'fe80::1', port: 123 });
    assert.deepEqual(parseServerSpec('2001:db8::1'), { host: '2001:db8::1', port: 123 });
    assert.throws(() => parseServerSpec('host:99999'));
    assert.throws(() => parseServerSpec(''));
    assert.equal(formatServer('::1', 1123), '[::1]:1123');
    assert.equal(formatServer('time.apple.com', 123), 'time.apple.com');
  });

  it('reads systemsetup output, and nothing from its admin refusal', () => {
    assert.equal(parseNetworkTimeServer('Network Time Server: time.euro.apple.com\n'), 'time.euro.apple.com');
    assert.equal(parseNetworkTimeServer('You need administrator access to run this tool... exiting!\n'), null);
  });

  it('grades offsets and names what breaks', () => {
    assert.equal(clockState(999, 1_000, 60_000), 'ok');
    assert.equal(clockState(-1_000, 1_000, 60_000), 'warn');
    assert.equal(clockState(60_000, 1_000, 60_000), 'critical');
    const broken = clockBreaks(-130_000).filter((b) => b.broken).map((b) => b.limitMs).sort((a, b) => a - b);
    assert.deepEqual(broken, [60_000, 120_000]);
  });

  it('takes the Date header as mid-second at the request midpoint, uncertain by 500 ms + rtt/2', () => {
    const sent = Date.parse('Sun, 06 Nov 1994 08:49:37 GMT') + 100;
    const result = dateHeaderOffset('Sun, 06 Nov 1994 08:49:37 GMT', sent, sent + 200);
    assert.deepEqual(result, { offsetMs: 300, uncertaintyMs: 600, roundTripMs: 200 });
    assert.equal(dateHeaderOffset('garbage', 0, 1), null);
    // Served from a cache 30 s after the origin stamped it: two whole-second fields, ±1 s.
    assert.deepEqual(dateHeaderOffset('Sun, 06 Nov 1994 08:49:37 GMT', sent, sent + 200, 30), { offsetMs: 30_800, uncertaintyMs: 1_100, roundTripMs: 200 });
  });
});
