import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseProxyUrl } from '../../../main/fixes/proxy.ts';
import { parseServerSpec } from '../../../main/glance/clock.ts';
import { applyPins, parseTargetUrl } from '../../../main/probes/targets.ts';
import { UsageError } from '../../../main/system/errors.ts';
import { parseDuration } from '../../../main/watch/duration.ts';
import { assertFast, onlyThrows, repeated, runs, soup } from './support.ts';

/**
 * Pieces of the values the CLI takes: URLs, host:port, --resolve pins,
 * durations. No newline: --resolve and --target quote the value back, so a
 * value with a newline in it gives a two-line message (still exit 64).
 */
const PIECES = ['http://', 'https://', 'wss://', 'socks5://', 'user', ':', '@', '%', '%zz', '%40', 'proxy.corp', '127.0.0.1', '[', ']', '::1', '3128', '/', '?', '#', 'a', ' ', '-', '--x', ',', '1', '30m', 'h', '\t', '\u0000', 'é'];

describe('CLI argument values (properties)', () => {
  it('--url, --target, --resolve and --server: a value or a one-line UsageError (exit 64), nothing else', () => {
    fc.assert(fc.property(soup(PIECES, 12), soup(PIECES, 12), (a, b) => {
      onlyThrows(() => parseProxyUrl(a), UsageError);
      onlyThrows(() => parseTargetUrl(a), UsageError);
      onlyThrows(() => applyPins([{ url: 'https://api.example.com/', kind: 'custom', name: null, sni: null, pin: null }], [`${a}:${b}`]), UsageError);
      onlyThrows(() => parseServerSpec(a), UsageError);
      const ms = parseDuration(a);
      assert.ok(ms === null || (Number.isInteger(ms) && ms > 0));
    }), runs(1_000));
  });

  it('a proxy URL that parses keeps user info the gateway can decode', () => {
    fc.assert(fc.property(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), (user, password) => {
      const raw = `http://${user}:${password}@proxy.corp:3128`;
      try {
        const url = parseProxyUrl(raw);
        assert.doesNotThrow(() => { decodeURIComponent(url.username); decodeURIComponent(url.password); });
      } catch (error) {
        assert.ok(error instanceof UsageError, String(error));
      }
    }), runs(300));
  });

  it('handles each 64 KB value in bounded time', () => {
    fc.assert(fc.property(repeated(['1', 'm', 'a', ':', '.', '-', '%', '[']), (text) => {
      assertFast(() => { parseDuration(text); try { parseServerSpec(text); } catch { /* refused */ } try { parseProxyUrl(`http://${text}`); } catch { /* refused */ } }, 'CLI values');
    }), runs(8));
  });
});
