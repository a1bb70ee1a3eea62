import { mkdir, open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AgentState } from '../ipc-contract.ts';
import { readJson, writeJsonAtomic } from '../system/files.ts';
import { PRIVATE_DIR_MODE } from './jsonl-log.ts';
import type { Pause } from './maintenance.ts';

/** Who owns the schedules for this user: the watcher holding this lock. */
export interface WatchLock { pid: number; startedAt: string }

/** What the running watcher last saw, for the app (which shows it instead of running its own schedules) and `clawbar status`. */
export interface WatchStateFile {
  schema: 'clawbar.watch-state/1';
  pid: number;
  startedAt: string;
  updatedAt: string;
  /** The health interval: a state older than a few cycles means a watcher that hangs. */
  cycleMs: number;
  plistPath: string | null;
  paused: Pause | null;
  firing: Array<{ key: string; since: string | null }>;
  notifiers: string[];
  /** Redacted, like everything the agent lets out. */
  state: AgentState;
}

/** Whether a process exists (EPERM: it does, as another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const readLock = (path: string) => readJson<WatchLock | null>(path, null);

/**
 * Takes the lock with an exclusive create; a lock whose process is gone is
 * stale and replaced (twice at most: two watchers racing over a stale lock
 * leave exactly one holder).
 */
export async function acquireLock(path: string, lock: WatchLock): Promise<{ ok: true } | { ok: false; holder: WatchLock }> {
  await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try { await handle.writeFile(`${JSON.stringify(lock)}\n`); } finally { await handle.close(); }
      return { ok: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readLock(path);
      if (holder && holder.pid !== lock.pid && isAlive(holder.pid)) return { ok: false, holder };
      await rm(path, { force: true });
    }
  }
  const holder = await readLock(path);
  return holder ? { ok: false, holder } : acquireLock(path, lock);
}

/** Removes the lock only if this process holds it. */
export async function releaseLock(path: string, pid: number): Promise<void> {
  if ((await readLock(path))?.pid === pid) await rm(path, { force: true });
}

export const readWatchState = (path: string) => readJson<WatchStateFile | null>(path, null);

export async function writeWatchState(path: string, state: WatchStateFile): Promise<void> {
  await writeJsonAtomic(path, state);
}

/** The pager's debounce tracks (their type belongs to the pager; the store only keeps them). */
export async function readPagerState<T>(path: string): Promise<Record<string, T>> {
  const saved = await readJson<{ tracks?: Record<string, T> } | null>(path, null);
  return saved?.tracks && typeof saved.tracks === 'object' ? saved.tracks : {};
}

export async function writePagerState<T>(path: string, tracks: Record<string, T>): Promise<void> {
  await writeJsonAtomic(path, { schema: 'clawbar.pager-state/1', tracks });
}
