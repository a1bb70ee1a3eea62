import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Mode of the new file (applied with fchmod, so the umask cannot widen or narrow it). */
  mode: number;
  /** Owner to keep when replacing another account's file (needs the rights to do so). */
  uid?: number;
  gid?: number;
  /** Create missing parent folders with this mode; by default a missing folder is an error. */
  createDirMode?: number;
  /** Called after the temp file is complete and synced, before the rename (crash tests hook here). */
  beforeRename?: () => void;
}

/**
 * Replaces `path` so that a crash at any instant leaves either the old file or
 * the new one: write a temp file in the same folder (same filesystem, so the
 * rename is atomic), fsync it, rename over the target, fsync the folder so the
 * rename itself survives power loss.
 */
export async function writeFileAtomic(path: string, data: string | Buffer, options: AtomicWriteOptions): Promise<void> {
  const dir = dirname(path);
  if (options.createDirMode !== undefined) await mkdir(dir, { recursive: true, mode: options.createDirMode });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.chmod(options.mode);
    if (options.uid !== undefined && options.gid !== undefined) await handle.chown(options.uid, options.gid);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    options.beforeRename?.();
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDir(dir);
}

/** fsync a folder so a rename or unlink in it is durable. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try { await handle.sync(); } finally { await handle.close(); }
}

