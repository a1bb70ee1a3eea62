import { mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PRIVATE_DIR_MODE } from './jsonl-log.ts';

/** Held for a read-merge-write of a small state file: milliseconds. One older than this was left by a process that died holding it. */
const STALE_MS = 10_000;
/** Longer than STALE_MS, so a lock a killed process left is taken over rather than reported; past it the write fails instead of hanging a check. */
const WAIT_MS = 15_000;
const RETRY_MS = 10;

/**
 * Runs `task` while holding `path` (created exclusively, removed after), so
 * two processes that read, merge and write the same file (the watcher and
 * `clawbar egress observe`) take turns instead of losing each other's update.
 */
export async function withFileLock<T>(path: string, task: () => Promise<T>): Promise<T> {
  await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  for (const started = Date.now(); ;) {
    try {
      await (await open(path, 'wx', 0o600)).close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (held > STALE_MS) await rm(path, { force: true });
      else if (Date.now() - started > WAIT_MS) throw new Error(`${path} is held by another writer`);
      else await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
  try {
    return await task();
  } finally {
    await rm(path, { force: true });
  }
}
