import assert from 'node:assert/strict';
import { chmod, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadBundleKey } from '../../../main/store/bundle-key.ts';
import { InputError } from '../../../main/system/errors.ts';
import { makeHome } from '../../helpers/world.ts';

describe('the per-user rollback key', () => {
  it('is made once, 32 random bytes, 0600, in a private folder; then the same key every time, also when asked at once', async () => {
    const { home, cleanup } = await makeHome();
    try {
      const path = join(home, 'state', 'fix-bundle.key');
      const keys = await Promise.all([loadBundleKey(path), loadBundleKey(path), loadBundleKey(path)]);
      assert.equal(keys[0]!.length, 32);
      assert.ok(keys.every((k) => k.equals(keys[0]!)), 'racing callers agree on one key');
      assert.deepEqual(await readFile(path), keys[0]);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.equal((await stat(join(home, 'state'))).mode & 0o777, 0o700);
      assert.ok((await loadBundleKey(path)).equals(keys[0]!));
    } finally {
      await cleanup();
    }
  });

  it('refuses a key others can read, a link, or one clawbar did not make', async () => {
    const { home, cleanup } = await makeHome();
    try {
      const path = join(home, 'fix-bundle.key');
      await loadBundleKey(path);
      await chmod(path, 0o640);
      await assert.rejects(loadBundleKey(path), (e: Error) => e instanceof InputError && /is readable or writable by others \(mode 0640\)/.test(e.message));
      await chmod(path, 0o600);
      const linked = join(home, 'linked.key');
      await symlink(path, linked);
      await assert.rejects(loadBundleKey(linked), /is not a plain file/);
      const short = join(home, 'short.key');
      await writeFile(short, 'abc', { mode: 0o600 });
      await assert.rejects(loadBundleKey(short), /is not a key clawbar made/);
    } finally {
      await cleanup();
    }
  });
});
