import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { observeStatus, recordStateChanges } from '../../../main/store/state-log.ts';
import { appendJsonLines } from '../../../main/store/jsonl-log.ts';
import { makeHome } from '../../helpers/world.ts';
import { status } from '../report/samples.ts';

describe('state-change log', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ home: dir, cleanup } = await makeHome()));
  after(() => cleanup());
  const paths = () => ({ statePath: join(dir, 'state', 'last-states.json'), logPath: join(dir, 'logs', 'status.jsonl') });
  const logLines = async () => (await readFile(paths().logPath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

  it('logs the first observation of each check, nothing while states hold, one line per change', async () => {
    const first = await recordStateChanges(observeStatus(status()), { ...paths(), source: 'status', traceId: 't1', now: new Date('2026-11-21T10:00:00Z') });
    assert.equal(first.length, 4);
    assert.deepEqual((await logLines()).map((l) => [l.check, l.from, l.to]), [['overall', null, 'warn'], ['gateway', null, 'ok'], ['listeners', null, 'warn'], ['clock', null, 'ok']]);
    assert.deepEqual(await recordStateChanges(observeStatus(status()), { ...paths(), source: 'status' }), []);
    const down = status({ overall: 'critical', gateway: { ...status().gateway, state: 'down', latencyMs: null, error: 'ECONNREFUSED' } });
    const changed = await recordStateChanges(observeStatus(down), { ...paths(), source: 'metrics', traceId: 't3', now: new Date('2026-11-21T10:05:00Z') });
    assert.deepEqual(changed.map((l) => (l as { check: string }).check), ['overall', 'gateway']);
    const last = (await logLines()).at(-1)!;
    assert.deepEqual({ ...last }, { time: '2026-11-21T10:05:00.000Z', traceId: 't3', event: 'state-change', source: 'metrics', check: 'gateway', from: 'ok', to: 'down', previousSince: '2026-11-21T10:00:00.000Z', detail: 'ECONNREFUSED' });
  });

  it('checks not observed keep their state (the app may report health alone); a damaged state file starts over', async () => {
    assert.equal((await recordStateChanges({ gateway: { state: 'ok', detail: null } }, { ...paths(), source: 'app' })).length, 1);
    const remembered = JSON.parse(await readFile(paths().statePath, 'utf8')) as Record<string, { state: string }>;
    assert.equal(remembered.clock?.state, 'ok');
    await writeFile(paths().statePath, 'null');
    assert.equal((await recordStateChanges(observeStatus(status()), { ...paths(), source: 'status' })).length, 4);
  });

  it('the shared log module rotates by size', async () => {
    const log = join(dir, 'rotate', 'x.jsonl');
    await appendJsonLines(log, [{ a: 'x'.repeat(200) }], 100);
    await appendJsonLines(log, [{ b: 1 }], 100);
    assert.equal((await readFile(`${log}.1`, 'utf8')).split('\n').length, 2);
    assert.equal(await readFile(log, 'utf8'), '{"b":1}\n');
  });
});
