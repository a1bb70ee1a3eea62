import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildRequest, fromNtpTimestamp, parseSntpOutput, SntpError, toNtpTimestamp, validateReply } from '../../../main/glance/sntp.ts';
import { assertFast, fixture, mutated, onlyThrows, repeated, runs, soup } from './support.ts';

const PIECES = ['+', '-', '0', '1', '.', '0.012345', ' ', '+/-', ' +/- ', 'time.apple.com', '17.253.4.125', '\n', 's2', 'no-leap', '(-0200)', 'sntp 4.2.8p10@1.3728-o', ':', 'a'];
const FIXTURES = ['sntp-1.txt', 'sntp-banner-1.txt', 'sntp-ss-mojave-1.txt'].map(fixture);

describe('SNTP replies and sntp output (properties)', () => {
  it('validates any reply bytes with an SntpError or a sane result, never anything else', () => {
    const request = buildRequest(Date.now());
    const echoing = fc.uint8Array({ minLength: 48, maxLength: 68 }).map((bytes) => { const reply = Buffer.from(bytes); request.copy(reply, 24, 40, 48); return reply; });
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b)), echoing), (reply) => {
      onlyThrows(() => {
        const fields = validateReply(reply, request);
        assert.ok(fields.stratum >= 1 && fields.stratum <= 15 && (fields.mode === 4 || fields.mode === 5));
        assert.ok(Number.isFinite(fields.receiveMs) && Number.isFinite(fields.transmitMs));
      }, SntpError);
    }), runs(500));
  });

  it('round-trips NTP timestamps across the 2036 era boundary to the millisecond', () => {
    fc.assert(fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) }), (ms) => {
      const { seconds, fraction } = toNtpTimestamp(ms);
      assert.ok(Math.abs(fromNtpTimestamp(seconds, fraction) - ms) < 1);
    }), runs(300));
  });

  it('reads sntp output or returns null, on soup and on mutated recorded output', () => {
    fc.assert(fc.property(fc.oneof(soup(PIECES, 40), fc.constantFrom(...FIXTURES).chain((base) => mutated(base, PIECES))), (text) => {
      const result = parseSntpOutput(text);
      if (result) assert.ok(Number.isFinite(result.offsetMs) && result.errorMs >= 0);
    }), runs(300));
  });

  it('handles each 64 KB input in bounded time', () => {
    fc.assert(fc.property(repeated([' ', '1', '.', '+/-', '+', '0.1 ', 'a']), (text) => { assertFast(() => parseSntpOutput(text), 'sntp output'); }), runs(10));
  });
});
