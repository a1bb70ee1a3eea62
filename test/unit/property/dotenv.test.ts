import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as dotenvParse } from 'dotenv';
import fc from 'fast-check';
import { MAX_DOTENV_BYTES, parseDotenv } from '../../../main/service/dotenv-file.ts';
import { InputError } from '../../../main/system/errors.ts';
import { assertFast, onlyThrows, repeated, runs, soup } from './support.ts';

const PIECES = ['A', 'B', 'x', ' ', '\t', '\n', '\r', '\r\n', '=', ':', "'", '"', '`', '\\', '#', 'export ', 'export', '\\n', '\u2028', '.', '-', 'A=', 'B="', "'\n", '__proto__='];

describe('.env reader (properties)', () => {
  it('gives exactly what dotenv gives, on every small input', () => {
    fc.assert(fc.property(soup(PIECES, 16), (text) => {
      assert.deepEqual(parseDotenv(text), { ...dotenvParse(text) });
    }), runs(3_000));
  });

  it('throws only InputError, for a file past its size bound', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 4 }), (extra) => {
      onlyThrows(() => parseDotenv('x'.repeat(MAX_DOTENV_BYTES + extra)), InputError);
    }), runs(3));
  });

  it('handles each 64 KB input in bounded time', () => {
    fc.assert(fc.property(repeated([' ', '\n', '"', "'", '\\"', 'A=', '=', '#', 'export ']), (text) => {
      assertFast(() => parseDotenv(text), '.env');
    }), runs(10));
  });
});
