import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { build, buildBinary } from 'plist';
import { parsePlistBytes } from '../../../main/service/plist.ts';
import { InputError } from '../../../main/system/errors.ts';
import { FIXTURES } from '../../helpers/world.ts';
import { assertFast, assertLinear, mutated, onlyThrows, repeated, runs } from './support.ts';

const PIECES = ['<', '>', '</', '<dict>', '</dict>', '<key>', '</key>', '<string>', '</string>', '<array>', '<true/>', '&amp;', '&#1;', '&lt;', '\u0001', '\u001b', 'a', ' ', '\n', '<!--', '-->', '<![CDATA[', ']]>', '<?xml', '?>', '"'];
const XML_FIXTURES = ['plist-homebrew-env-template-1.plist', 'plist-launchdaemon-env-1.plist'].map((name) => readFileSync(join(FIXTURES, 'macos', name), 'utf8'));
/** Text XML can carry: no control characters but tab and newline, no lone surrogates. */
const xmlText = fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => s.replace(/[^\t\n\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, ''));
const job = fc.record({
  Label: xmlText,
  ProgramArguments: fc.array(xmlText, { maxLength: 5 }),
  EnvironmentVariables: fc.dictionary(xmlText.filter((k) => k !== '' && k !== '__proto__'), xmlText, { maxKeys: 6 }),
  RunAtLoad: fc.boolean(),
});

describe('plist parser (properties)', () => {
  it('throws nothing but InputError, on random bytes, XML soup and mutated real plists', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => onlyThrows(() => parsePlistBytes(Buffer.from(bytes), 'x.plist'), InputError)), runs(300));
    fc.assert(fc.property(fc.constantFrom(...XML_FIXTURES).chain((base) => mutated(base, PIECES)), (text) => onlyThrows(() => parsePlistBytes(Buffer.from(text), 'x.plist'), InputError)), runs(200));
  });

  it('reads back any job it could write, XML and binary alike', () => {
    fc.assert(fc.property(job.map((value) => JSON.parse(JSON.stringify(value)) as typeof value), (value) => {
      assert.deepEqual(parsePlistBytes(Buffer.from(build(value as never)), 'x.plist').value, value);
      assert.deepEqual(parsePlistBytes(Buffer.from(buildBinary(value as never)), 'x.plist').value, value);
    }), runs(100));
  });

  it('refuses an XML string holding a control character, naming where and never quoting the value', () => {
    fc.assert(fc.property(xmlText, fc.integer({ min: 1, max: 31 }).filter((c) => c !== 9 && c !== 10 && c !== 13), fc.boolean(), (text, code, asReference) => {
      const secret = `${text}${asReference ? `&#${code};` : String.fromCharCode(code)}tail-secret`;
      const xml = build({ Label: 'x', EnvironmentVariables: { TOKEN: 'PLACEHOLDER' } } as never).replace('PLACEHOLDER', secret);
      assert.throws(() => parsePlistBytes(Buffer.from(xml), 'x.plist'), (error) => error instanceof InputError
        && error.message.includes('EnvironmentVariables.TOKEN') && !error.message.includes('tail-secret'));
    }), runs(100));
  });

  it('mutated binary plists give a value or an InputError', () => {
    fc.assert(fc.property(job, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (value, edits) => {
      const bytes = Buffer.from(buildBinary(value as never));
      for (const [at, byte] of edits) bytes[8 + (at % (bytes.length - 8))] = byte;
      onlyThrows(() => parsePlistBytes(bytes, 'x.plist'), InputError);
    }), runs(200));
  });

  it('handles each 64 KB input in bounded time', () => {
    fc.assert(fc.property(repeated(['<string>', 'a', ' ', '&amp;', '<key>k</key>', '<!--', '<'], '<?xml version="1.0"?><plist><dict><key>Label</key>'), (text) => {
      assertFast(() => parsePlistBytes(Buffer.from(text), 'x.plist'), 'XML plist');
    }), runs(8));
    fc.assert(fc.property(fc.string({ maxLength: 8 }).map((v) => v.replace(/[^\x20-\x7e]/g, '')), fc.integer({ min: 1, max: 64 }), fc.boolean(), (value, depth, binary) => {
      // A plist of about `size` bytes: many environment variables and one deep branch.
      const make = (size: number) => {
        const entries = Object.fromEntries(Array.from({ length: Math.floor(size / 48) }, (_, i) => [`KEY_${i}`, `${value}-${i}`]));
        let nested: unknown = 'leaf';
        for (let i = 0; i < depth; i++) nested = i % 2 ? { inner: nested } : [nested];
        const job = { Label: 'x', EnvironmentVariables: entries, Nested: nested };
        return Buffer.from(binary ? buildBinary(job as never) : build(job as never));
      };
      assertLinear(make, (bytes: Buffer) => parsePlistBytes(bytes, 'x.plist'), `${binary ? 'binary' : 'XML'} plist`);
    }), runs(4));
  });
});
