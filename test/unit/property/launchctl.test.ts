import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseLaunchctlPrint, parsePrintBlocks } from '../../../main/service/launchctl.ts';
import { assertFast, fixture, mutated, repeated, runs, soup } from './support.ts';

const PIECES = ['\t', ' ', '\n', '=', ' = ', ' => ', '{', '}', ' = {', ' => {', 'gui/501/ai.openclaw.gateway', 'state', 'running', 'pid', '123', 'environment', 'arguments', 'a', 'b', '\r'];
const FIXTURES = ['launchctl-print-gui-running-1.txt', 'launchctl-print-gui-not-running-1.txt', 'launchctl-print-disabled-pre-ventura-1.txt', 'launchctl-print-gui-spawn-failed-codesigning-1.txt'].map(fixture);

describe('launchctl print parser (properties)', () => {
  it('never throws, on token soup and on mutated recorded output', () => {
    fc.assert(fc.property(soup(PIECES, 60), (text) => { parsePrintBlocks(text); parseLaunchctlPrint(text); }), runs(300));
    fc.assert(fc.property(fc.constantFrom(...FIXTURES).chain((base) => mutated(base, PIECES)), (text) => {
      const job = parseLaunchctlPrint(text);
      if (job) assert.ok(Array.isArray(job.arguments) && typeof job.environment === 'object');
    }), runs(100));
  });

  it('keeps a value as printed, padding included', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z][a-z ]{0,10}[a-z]$/), fc.string({ maxLength: 40 }).filter((v) => !/[\n\r\u2028\u2029]/.test(v) && v.trim() === v && v !== '' && !v.endsWith('{')), (key, value) => {
      assert.equal(parsePrintBlocks(`\t${key} = ${value}\n`).values.get(key), value);
    }), runs(200));
  });

  it('handles each 64 KB input in bounded time', () => {
    fc.assert(fc.property(repeated([' ', ' ', '\t', '=', ' = ', '=>', '{', 'a']), (text) => { assertFast(() => parseLaunchctlPrint(text), 'launchctl print'); }), runs(10));
  });
});
