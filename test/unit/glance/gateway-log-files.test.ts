import assert from 'node:assert/strict';
import { appendFile, rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { activeLogFiles, archivePath, profileSegment, readNewLines, type LogCursor } from '../../../main/glance/gateway-log-files.ts';
import { makeHome } from '../../helpers/world.ts';

describe('the gateway log files', () => {
  it("are OpenClaw's names: logging.file, else today's and yesterday's dated file (profile escaped as OpenClaw does)", () => {
    const now = new Date(2026, 0, 2, 0, 30);
    assert.deepEqual(activeLogFiles({ configured: '/var/log/oc.log', env: {}, uid: 501, now }), ['/var/log/oc.log']);
    assert.deepEqual(activeLogFiles({ configured: null, env: { TMPDIR: '/var/folders/x/T' }, uid: 501, now }), [
      '/tmp/openclaw/openclaw-2026-01-01.log', '/tmp/openclaw/openclaw-2026-01-02.log',
      '/var/folders/x/T/openclaw-501/openclaw-2026-01-01.log', '/var/folders/x/T/openclaw-501/openclaw-2026-01-02.log',
    ]);
    assert.equal(profileSegment('Work_2'), '-1work-02');
    assert.equal(profileSegment('default'), null);
    assert.equal(archivePath('/tmp/openclaw/openclaw-2026-01-02.log', 3), '/tmp/openclaw/openclaw-2026-01-02.3.log');
  });
});

describe('readNewLines', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ home, cleanup } = await makeHome()));
  after(() => cleanup());

  const read = async (path: string, cursors: LogCursor[]) => {
    const lines: string[] = [];
    const result = await readNewLines([path], cursors, (line) => lines.push(line));
    return { lines, cursors: result.cursors };
  };

  it('reads only whole new lines, follows a rotation through the archive, and starts over after truncation', async () => {
    const path = join(home, 'openclaw.log');
    await writeFile(path, 'a\nb\npart');
    let step = await read(path, []);
    assert.deepEqual(step.lines, ['a', 'b']);
    await appendFile(path, 'ial\nc\n');
    step = await read(path, step.cursors);
    assert.deepEqual(step.lines, ['partial', 'c']);
    // OpenClaw rotates: the active file becomes .1 (after one more line), a new one starts.
    await appendFile(path, 'd\n');
    await rename(path, archivePath(path, 1));
    await writeFile(path, 'e\n');
    step = await read(path, step.cursors);
    assert.deepEqual(step.lines, ['d', 'e']);
    await truncate(path, 0);
    await writeFile(path, 'f\n');
    step = await read(path, step.cursors);
    assert.deepEqual(step.lines, ['f']);
    assert.deepEqual((await read(path, step.cursors)).lines, []);
  });

  it('a missing file is no error and keeps no cursor', async () => {
    assert.deepEqual(await read(join(home, 'none.log'), []), { lines: [], cursors: [] });
  });
});
