import { constants } from 'node:fs';
import { lstat, mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Rotate at this size so a node left alone for months cannot fill its disk. */
export const LOG_ROTATE_BYTES = 5 * 1024 * 1024;

/** clawbar's own folders hold logs and state that name hosts and findings: private to the user. */
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Appends JSON lines to a log that any log shipper can follow, rotating to
 * `<file>.1` past LOG_ROTATE_BYTES. The log is opened without following a
 * symlink, so a link planted in the log folder cannot redirect the writes.
 * Lines must already be redacted (the keeper does that).
 */
export async function appendJsonLines(path: string, records: object[], rotateBytes = LOG_ROTATE_BYTES): Promise<void> {
  if (records.length === 0) return;
  await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  const size = await lstat(path).then((s) => (s.isFile() ? s.size : 0), () => 0);
  if (size > rotateBytes) await rename(path, `${path}.1`);
  const handle = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  try {
    await handle.writeFile(records.map((record) => `${JSON.stringify(record)}\n`).join(''));
  } finally {
    await handle.close();
  }
}
