import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_LISTENERS, parseLsofColumns, parseLsofFields, splitName, type RawListener } from '../../../main/glance/lsof.ts';
import { assertFast, fixture, mutated, repeated, runs, soup } from './support.ts';

const FIELD_PIECES = ['p', 'c', 'u', 'L', 'f', 't', 'P', 'n', 'T', '\n', '123', 'node', 'IPv4', 'IPv6', 'TCP', 'ST=LISTEN', '127.0.0.1:80', '[::1]:443', '*:18789', '->', ' (LISTEN)', '\\x20', ':', '('];
const COLUMN_PIECES = ['node', ' ', '  ', '123', 'user', '21u', 'IPv4', 'IPv6', '0x1', '0t0', 'TCP', '127.0.0.1:18789', '*:80', '[::1]:443', '(LISTEN)', '\n', '\\x20', '(', ')'];
const FIELD_FIXTURES = ['lsof-fields-pcnt-1.txt'].map(fixture);
const COLUMN_FIXTURES = ['lsof-listen-macos26-1.txt', 'lsof-listen-no-n-1.txt', 'lsof-port-numeric-1.txt', 'lsof-port-service-names-1.txt', 'lsof-grep-listen-escaped-name-1.txt'].map(fixture);

function sane(listeners: RawListener[]): void {
  assert.ok(listeners.length <= MAX_LISTENERS);
  for (const l of listeners) {
    assert.ok(Number.isInteger(l.port) && l.port >= 1 && l.port <= 65535, `port ${l.port}`);
    assert.ok([4, 6, null].includes(l.family));
  }
}

describe('lsof parsers, field and column forms (properties)', () => {
  it('never throw and give only valid ports, on soup and on mutated recorded output', () => {
    fc.assert(fc.property(soup(FIELD_PIECES, 60), (text) => sane(parseLsofFields(text))), runs(300));
    fc.assert(fc.property(soup(COLUMN_PIECES, 60), (text) => sane(parseLsofColumns(text))), runs(300));
    fc.assert(fc.property(fc.constantFrom(...FIELD_FIXTURES).chain((base) => mutated(base, FIELD_PIECES)), (text) => sane(parseLsofFields(text))), runs(100));
    fc.assert(fc.property(fc.constantFrom(...COLUMN_FIXTURES).chain((base) => mutated(base, COLUMN_PIECES)), (text) => sane(parseLsofColumns(text))), runs(100));
  });

  it('splits any address and port back out of a NAME', () => {
    fc.assert(fc.property(fc.oneof(fc.ipV4(), fc.ipV6().map((a) => `[${a}]`), fc.constant('*')), fc.integer({ min: 1, max: 65535 }), fc.boolean(), (address, port, state) => {
      const split = splitName(`${address}:${port}${state ? ' (LISTEN)' : ''}`);
      assert.deepEqual(split, { address: address.replace(/^\[|\]$/g, ''), port });
    }), runs(200));
  });

  it('handles each 64 KB input in bounded time', () => {
    fc.assert(fc.property(repeated([' ', '(', 'a', ':', '1', '->']), (text) => { assertFast(() => parseLsofFields(`p1\nf1\nn${text}`), 'lsof -F'); }), runs(8));
    fc.assert(fc.property(repeated([' ', '\t', '(', 'LISTEN', ')', '\\x20']), (text) => { assertFast(() => parseLsofColumns(text), 'lsof columns'); }), runs(8));
    fc.assert(fc.property(repeated([' ', '(', 'a', ':', '1', ')']), (text) => { assertFast(() => splitName(text), 'lsof NAME'); }), runs(8));
  });
});
