import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseScutilDns } from '../../../main/probes/scutil-dns.ts';
import { assertFast, fixture, mutated, repeated, runs, soup } from './support.ts';

const PIECES = ['resolver #1', '\n', ' ', '\t', ':', ' : ', '[0]', '[', ']', 'nameserver', 'search domain', 'domain', 'if_index', 'options', 'mdns', '(', ')', '192.0.2.1', 'fe80::1%en0', 'DNS configuration (for scoped queries)', 'a'];
const FIXTURES = ['scutil-dns-dhcp-wifi-1.txt', 'scutil-dns-ipv6-link-local-1.txt', 'scutil-dns-old-format-2017-1.txt', 'scutil-dns-scoped-old-format-2018-1.txt', 'scutil-dns-vpn-supplemental-1.txt'].map(fixture);

function wellFormed(text: string): void {
  for (const resolver of parseScutilDns(text)) {
    assert.ok(resolver.nameservers.every((s) => typeof s === 'string' && !s.includes('\n')));
    assert.ok(resolver.domain === null || resolver.domain === resolver.domain.toLowerCase());
  }
}

describe('scutil --dns parser (properties)', () => {
  it('never throws, on token soup and on mutated recorded output', () => {
    fc.assert(fc.property(soup(PIECES, 60), (text) => { wellFormed(text); }), runs(300));
    fc.assert(fc.property(fc.constantFrom(...FIXTURES).chain((base) => mutated(base, PIECES)), (text) => { wellFormed(text); }), runs(100));
  });

  it('reads the nameserver lines whatever the padding around the colon', () => {
    fc.assert(fc.property(fc.nat({ max: 20 }), fc.nat({ max: 20 }), fc.nat({ max: 9 }), (before, after, index) => {
      const text = `resolver #1\n  nameserver[${index}]${' '.repeat(before)}:${' '.repeat(after)}192.0.2.${index}\n`;
      assert.deepEqual(parseScutilDns(text)[0]?.nameservers, [`192.0.2.${index}`]);
    }), runs(100));
  });

  it('handles each 64 KB input in bounded time', () => {
    fc.assert(fc.property(repeated([' ', ' ', '\t', 'a', ':', '[0]', '(', '\n'], 'resolver #1\n '), (text) => { assertFast(() => parseScutilDns(text), 'scutil --dns'); }), runs(10));
  });
});
