import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import JSON5 from 'json5';
import { setJson5Value } from '../../../main/fixes/json5-edit.ts';
import { loadGatewayConfig, MAX_CONFIG_BYTES, readGatewayConfig } from '../../../main/service/openclaw-config.ts';
import { assertFast, assertLinear, repeated, runs, soup } from './support.ts';

const PIECES = ['{', '}', '[', ']', ',', ':', '"', "'", '\\', '//', '/*', '*/', '\n', ' ', 'gateway', 'port', '18789', 'auth', 'token', 'true', 'null', 'Infinity', '1e9', '-', 'x', '\uFEFF'];
const key = fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]{0,6}$/);
/** A config written the way people write JSON5: any JSON value, with comments, trailing commas and single quotes here and there. */
const json5Text = fc.tuple(fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }), fc.boolean(), fc.boolean()).map(([value, comment, single]) => {
  let text = JSON5.stringify(value, null, 2);
  if (single) text = text.replace(/"([A-Za-z_$][\w$]*)":/g, '$1:');
  return `${comment ? '// openclaw.json\n' : ''}${text}\n`;
});

describe('openclaw.json reader and editor (properties)', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'clawbar-json5-')); });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads any file without throwing: a broken one is an error string', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(soup(PIECES, 40), json5Text), async (text) => {
      const path = join(dir, 'openclaw.json');
      await writeFile(path, text);
      const config = await loadGatewayConfig(path);
      assert.equal(config.found, true);
      assert.ok(config.error === null || !/\n/.test(config.error));
    }), runs(200));
  });

  it('extracts settings from any JSON value without throwing', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => { readGatewayConfig(value); }), runs(300));
  });

  it('edits any JSON5 object so that exactly the one value changes, or refuses with an Error', () => {
    let edited = 0;
    fc.assert(fc.property(json5Text, fc.array(key, { minLength: 1, maxLength: 3 }), fc.jsonValue({ maxDepth: 1 }), (text, path, value) => {
      let next: string;
      try { next = setJson5Value(text, path, value); } catch (error) {
        // Refused: a member on the path is not an object, or the edit would not round-trip.
        assert.ok(error instanceof Error && !(error instanceof RangeError) && !(error instanceof TypeError), String(error));
        return;
      }
      edited++;
      const expected = JSON5.parse(text) as Record<string, unknown>;
      let cursor = expected;
      for (const part of path.slice(0, -1)) cursor = (cursor[part] ??= {}) as Record<string, unknown>;
      cursor[path.at(-1)!] = value;
      assert.deepEqual(JSON5.parse(next), JSON.parse(JSON.stringify(expected)));
    }), runs(300));
    assert.ok(edited > 100, `only ${edited} of 300 edits were made`);
  });

  it('throws nothing but Error (and JSON5 SyntaxError) from the editor on soup', () => {
    fc.assert(fc.property(soup(PIECES, 40), (text) => {
      try { setJson5Value(text, ['gateway', 'bind'], 'loopback'); } catch (error) {
        assert.ok(error instanceof Error && !(error instanceof RangeError) && !(error instanceof TypeError), String(error));
      }
    }), runs(300));
  });

  it('handles each 64 KB input in bounded time', async () => {
    fc.assert(fc.property(repeated(['{a:', '[', ' ', '"x",', '//c\n', 'k: 1,']), (text) => {
      assertFast(() => setJson5Value(text, ['gateway', 'bind'], 'loopback'), 'JSON5 editor');
    }), runs(8));
    const members = (size: number) => `{\n${Array.from({ length: Math.floor(size / 24) }, (_, i) => `  key${i}: 'value ${i}', // c\n`).join('')}}\n`;
    assertLinear(members, (text: string) => setJson5Value(text, ['gateway', 'bind'], 'loopback'), 'JSON5 editor on a valid config');
    assertLinear(members, (text: string) => JSON5.parse(text), 'JSON5 parse of a valid config');
    const path = join(dir, 'big.json');
    await writeFile(path, ' '.repeat(MAX_CONFIG_BYTES + 1));
    assert.match((await loadGatewayConfig(path)).error ?? '', /limit/);
  });
});
