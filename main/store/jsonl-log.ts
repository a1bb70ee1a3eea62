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

/**
 * The last `maxBytes` of a JSON-lines log as parsed records, oldest first; a
 * missing log reads as none, and lines that are not JSON are skipped. The
 * first line of a cut tail is partial and is dropped.
 */
export async function readLogTail(path: string, maxBytes: number): Promise<Array<Record<string, unknown>>> {
  let text: string;
  try {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      const start = Math.max(0, size - maxBytes);
      const buffer = Buffer.alloc(size - start);
      await file.read(buffer, 0, buffer.length, start);
      text = buffer.toString('utf8');
      if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    } finally {
      await file.close();
    }
  } catch {
    return [];
  }
  const records: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    try {
      const record: unknown = JSON.parse(line);
      if (record && typeof record === 'object' && !Array.isArray(record)) records.push(record as Record<string, unknown>);
    } catch { /* a torn or foreign line */ }
  }
  return records;
}
