import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { evaluateEnvFile, OPENCLAW_ENV_HEADER } from '../../../main/service/env-file.ts';
import { formatEnvFile } from '../../../main/service/env-file-format.ts';
import { assertFast, repeated, runs, soup } from './support.ts';

const PIECES = ['export ', 'A=', 'B=', 'A', '=', "'", '"', '\\', '$', '${', '}', 'A', ':-', '-', ':+', '+', '#', ' ', '\t', '\n', ';', '|', '`', '$(', ')', '~', ':', 'unset ', 'x', '\r', '\0'];
const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);

describe('env file and sh evaluator (properties)', () => {
  it('never throws: anything sh would refuse or clawbar cannot evaluate is an issue', () => {
    fc.assert(fc.property(soup(PIECES, 50), (body) => {
      const result = evaluateEnvFile(`${OPENCLAW_ENV_HEADER}\n${body}`, { HOME: '/Users/op', PATH: '/usr/bin' });
      assert.ok(result.issues.every((issue) => issue.severity === 'warn' || issue.severity === 'critical'));
      if (result.fatal) assert.ok(result.issues.some((issue) => issue.severity === 'critical'));
    }), runs(500));
  });

  it('reads back every value OpenClaw writes, whatever it holds', () => {
    const value = fc.string({ unit: 'grapheme', maxLength: 30 }).map((v) => v.replaceAll('\0', ''));
    fc.assert(fc.property(fc.dictionary(name, value, { maxKeys: 6 }), (vars) => {
      const result = evaluateEnvFile(formatEnvFile({ ...vars }), {});
      assert.equal(result.headerOk, true);
      assert.deepEqual(result.issues, []);
      for (const [key, v] of Object.entries(vars)) assert.equal(result.environment[key], v);
    }), runs(200));
  });

  it('reports expansions nested past the bound as a critical issue at any depth, never a RangeError', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5_000 }), fc.boolean(), (depth, quoted) => {
      const word = `${'${B:-'.repeat(depth)}x${'}'.repeat(depth)}`;
      const result = evaluateEnvFile(`${OPENCLAW_ENV_HEADER}\nexport X=${quoted ? `"${word}"` : word}\n`, {});
      if (depth <= 64) assert.equal(result.environment.X, 'x');
      else assert.ok(result.issues.some((issue) => issue.severity === 'critical' && /nest more than/.test(issue.message)));
    }), runs(60));
  });

  it('handles each 64 KB input in bounded time', () => {
    fc.assert(fc.property(repeated(["'", '"', '\\', '${A:-', '}', ' ', '\n', 'A=', '$A', '#'], `${OPENCLAW_ENV_HEADER}\n`), (text) => {
      assertFast(() => evaluateEnvFile(text, { A: 'a' }), 'env file');
    }), runs(10));
  });
});
