import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { loadAllowlist } from '../../../main/probes/targets.ts';
import { InputError } from '../../../main/system/errors.ts';
import { onlyRejects, runs, soup } from './support.ts';

const PIECES = ['egress:', '\n', '  ', '- ', 'host: ', 'port: ', '443', 'api.example.com', '? ', ': ', '[', ']', '{', '}', ',', '&a ', '*a', '!!str ', '"', "'", '#', '|', '>', '---', '\t', 'x'];
const row = fc.record({
  host: fc.domain(),
  port: fc.integer({ min: 1, max: 65535 }),
  tls: fc.boolean(),
  owner: fc.string({ maxLength: 20 }),
  pii: fc.boolean(),
  purpose: fc.string({ maxLength: 40 }),
});

describe('allowlist YAML (properties)', () => {
  let dir: string;
  let n = 0;
  const file = async (text: string) => { const path = join(dir, `allowlist-${n++}.yaml`); await writeFile(path, text); return path; };
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'clawbar-allowlist-')); });
  after(() => rm(dir, { recursive: true, force: true }));

  it('rejects with nothing but a one-line InputError, on YAML soup', async () => {
    await fc.assert(fc.asyncProperty(soup(PIECES, 60), async (text) => {
      const path = await file(text);
      await onlyRejects(() => loadAllowlist(path), InputError);
    }), runs(300));
  });

  it('reads back every list it could be given', async () => {
    await fc.assert(fc.asyncProperty(fc.array(row, { maxLength: 8 }), async (rows) => {
      const loaded = await loadAllowlist(await file(stringify({ egress: rows })));
      assert.deepEqual(loaded.map((r) => [r.host, r.port, r.tls, r.owner, r.pii, r.purpose]), rows.map((r) => [r.host, r.port, r.tls, r.owner, r.pii, r.purpose]));
    }), runs(100));
  });

  it('answers every input up to its 64 KiB bound within seconds, and refuses bigger ones unread', async () => {
    // yaml itself is linear but costs about 1 ms per KB of hostile text on a busy machine, hence the bound on the file.
    const shapes = fc.array(fc.constantFrom('- a: ', '? ', 'a: b\n', '[a, b], ', '  - host: x\n', '!x ', "'a' ", '*a\n', '#c\n', ' \n', '- [a, b]\n'), { minLength: 1, maxLength: 3 });
    await fc.assert(fc.asyncProperty(shapes, async (parts) => {
      const unit = parts.join('');
      const path = await file(unit.repeat(Math.floor((64 * 1024) / unit.length)));
      const started = performance.now();
      await onlyRejects(() => loadAllowlist(path), InputError);
      assert.ok(performance.now() - started < 3_000, `${JSON.stringify(unit)}: ${(performance.now() - started).toFixed(0)} ms`);
    }), runs(4));
    await assert.rejects(loadAllowlist(await file(`egress: []\n${'#'.repeat(64 * 1024)}\n`)), /limit/);
  });
});
