import assert from 'node:assert/strict';
import { lstat, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Keeper } from '../../../main/store/keeper.ts';
import { appendJsonLines, readLogTail } from '../../../main/store/jsonl-log.ts';
import { buildWorld } from '../../../main/world.ts';
import { makeHome } from '../../helpers/world.ts';

describe('the store keeps its folders private and its logs where it put them', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ home, cleanup } = await makeHome()));
  after(() => cleanup());

  it('creates the log and state folders 0700, whatever the umask', async () => {
    const world = buildWorld({ env: { HOME: home }, platform: 'linux' });
    const keeper = new Keeper(world);
    const old = process.umask(0o022);
    try {
      await keeper.auditFix({ fixId: 'f1', kind: 'bind', step: { step: 'plan', status: 'ok', detail: 'x', at: '2026-12-02T00:00:00.000Z' } });
      await keeper.recordStatus((await import('../report/samples.ts')).status(), 'test');
    } finally {
      process.umask(old);
    }
    assert.equal((await lstat(world.files.logDir)).mode & 0o777, 0o700);
    assert.equal((await lstat(world.files.stateDir)).mode & 0o777, 0o700);
    assert.equal((await lstat(world.files.fixLog)).mode & 0o777, 0o600);
  });

  it('refuses to append through a symlink planted where a log goes, and leaves its target alone', async () => {
    const dir = join(home, 'planted');
    await mkdir(dir, { recursive: true });
    const target = join(home, 'victim.txt');
    await writeFile(target, 'untouched\n');
    await symlink(target, join(dir, 'probes.jsonl'));
    await assert.rejects(appendJsonLines(join(dir, 'probes.jsonl'), [{ event: 'probe' }]), /ELOOP|symbolic link/);
    assert.equal(await readFile(target, 'utf8'), 'untouched\n');
  });

  it('reads a log tail back as records, dropping a torn first line and foreign lines', async () => {
    const path = join(home, 'tail.jsonl');
    await writeFile(path, `${JSON.stringify({ n: 1, pad: 'x'.repeat(50) })}\nnot json\n${JSON.stringify({ n: 2 })}\n[1,2]\n${JSON.stringify({ n: 3 })}\n`);
    assert.deepEqual((await readLogTail(path, 1 << 20)).map((r) => r.n), [1, 2, 3]);
    assert.deepEqual((await readLogTail(path, 40)).map((r) => r.n), [2, 3]);
    assert.deepEqual(await readLogTail(join(home, 'missing.jsonl'), 100), []);
  });
});
