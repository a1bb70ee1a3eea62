import assert from 'node:assert/strict';
import { copyFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nodeBinary } from '../../../main/service/node-binary.ts';
import { createExecutor, type Executor } from '../../../main/system/exec.ts';
import { makeHome } from '../../helpers/world.ts';

describe('the node binary a service names', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  const asked: string[] = [];
  const real = createExecutor({});
  const exec: Executor = (command, args, options) => { asked.push(command); return real(command, args, options); };
  before(async () => { ({ home, cleanup } = await makeHome()); });
  after(() => cleanup());

  it('resolves a link to its file and asks its version; asks again only when the file moved', async () => {
    const link = join(home, 'node');
    await symlink(process.execPath, link);
    const first = await nodeBinary(exec, link, null);
    assert.deepEqual([first?.path, first?.version, asked.length], [link, process.version, 1]);
    assert.notEqual(first?.realPath, link);
    assert.equal(await nodeBinary(exec, link, first), first, 'the same file: the version is not asked again');
    assert.equal(asked.length, 1);

    // A node replaced in place (an installer writing over /usr/local/bin/node): same path, another file.
    const script = join(home, 'node-in-place');
    await writeFile(script, '#!/bin/sh\necho v24.1.0\n', { mode: 0o755 });
    const before = await nodeBinary(exec, script, null);
    await writeFile(script, '#!/bin/sh\necho v24.20.0\n', { mode: 0o755 });
    const replaced = await nodeBinary(exec, script, before);
    assert.deepEqual([before?.version, replaced?.version, asked.length], ['v24.1.0', 'v24.20.0', 3]);
  });

  it('a path that is not there, or not a node, gives null or no version', async () => {
    assert.equal(await nodeBinary(exec, join(home, 'missing'), null), null);
    assert.equal(await nodeBinary(exec, home, null), null, 'a folder is no binary');
    const fake = join(home, 'fake-node');
    await copyFile('/bin/false', fake);
    assert.equal((await nodeBinary(exec, fake, null))?.version, null);
  });

  it('a binary whose version cannot be read is not asked again until the file moves', async () => {
    const fake = join(home, 'silent-node');
    await writeFile(fake, '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    const before = asked.length;
    const first = await nodeBinary(exec, fake, null);
    assert.equal(first?.version, null);
    assert.equal(await nodeBinary(exec, fake, first), first, 'the same file: still no version, and no second `--version`');
    assert.equal(asked.length, before + 1);
    await writeFile(fake, '#!/bin/sh\necho v24.3.0\n', { mode: 0o755 });
    assert.equal((await nodeBinary(exec, fake, first))?.version, 'v24.3.0');
    assert.equal(asked.length, before + 2);
  });
});
