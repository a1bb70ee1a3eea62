import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputError } from '../system/errors.ts';

const KEY_BYTES = 32;

/**
 * clawbar's per-user key for rollback bundles: every manifest clawbar writes
 * is signed with it, and a rollback believes only manifests that carry a
 * valid signature. Created once (0600, this account's), never shown; a key
 * another account owns, or one others can read, is refused rather than used,
 * since whoever can read it could sign a bundle of their own.
 */
export async function loadBundleKey(path: string): Promise<Buffer> {
  if (!(await lstat(path).catch(() => null))) await createKey(path);
  const facts = await lstat(path);
  const uid = process.getuid?.() ?? -1;
  const refuse = (why: string) => new InputError(`clawbar's rollback key ${path} ${why}; anyone who can read or replace it could forge a rollback. Delete it (bundles signed with it can then only be restored by hand)`, path);
  if (facts.isSymbolicLink() || !facts.isFile()) throw refuse('is not a plain file');
  if (uid >= 0 && facts.uid !== uid) throw refuse(`belongs to uid ${facts.uid}, not to this account`);
  if ((facts.mode & 0o077) !== 0) throw refuse(`is readable or writable by others (mode 0${(facts.mode & 0o777).toString(8)})`);
  const key = await readFile(path);
  if (key.length !== KEY_BYTES) throw refuse('is not a key clawbar made');
  return key;
}

/** Writes the key complete in a temp file, then links it into place: a second process either wins the race or reads a whole key. */
async function createKey(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(randomBytes(KEY_BYTES));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(temp, { force: true });
  }
}
