import { appendFile, mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Rotate at this size so a node left alone for months cannot fill its disk. */
export const LOG_ROTATE_BYTES = 5 * 1024 * 1024;

/**
 * Appends JSON lines to a log that any log shipper can follow, rotating to
 * `<file>.1` past LOG_ROTATE_BYTES. Lines must already be redacted.
 */
export async function appendJsonLines(path: string, records: object[], rotateBytes = LOG_ROTATE_BYTES): Promise<void> {
  if (records.length === 0) return;
  await mkdir(dirname(path), { recursive: true });
  const size = await stat(path).then((s) => s.size, () => 0);
  if (size > rotateBytes) await rename(path, `${path}.1`);
  await appendFile(path, records.map((record) => `${JSON.stringify(record)}\n`).join(''), { mode: 0o600 });
}
