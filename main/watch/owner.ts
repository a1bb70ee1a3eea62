import { clockNotice, healthNotice, listenerNotices, probeNotice, upgradeNotice } from '../agent/notices.ts';
import type { AgentState, Notice } from '../ipc-contract.ts';
import { isAlive, readLock, readWatchState, type WatchStateFile } from '../store/watch-files.ts';
import type { WorldFiles } from '../world.ts';

/** A watcher that has not written its state for this long (or a few of its cycles) is hung, and the app takes over. */
const STALE_MS = 180_000;

export interface LiveWatcher {
  pid: number;
  /** null while the watcher starts and has not finished its first cycle. */
  state: WatchStateFile | null;
}

/**
 * The watcher that owns this user's schedules, if one runs: its lock names a
 * live process other than this one, and its state file is fresh. The app
 * asks this every few seconds; the watcher itself never defers to the app.
 */
export async function liveWatcher(files: Pick<WorldFiles, 'watchLock' | 'watchState'>, now: Date): Promise<LiveWatcher | null> {
  const lock = await readLock(files.watchLock);
  if (!lock || lock.pid === process.pid || !isAlive(lock.pid)) return null;
  const state = await readWatchState(files.watchState);
  if (!state || state.pid !== lock.pid) return now.getTime() - Date.parse(lock.startedAt) < STALE_MS ? { pid: lock.pid, state: null } : null;
  const limit = Math.max(STALE_MS, 3 * state.cycleMs);
  return now.getTime() - Date.parse(state.updatedAt) < limit ? { pid: lock.pid, state } : null;
}

/**
 * The app's notifications while it shows the watcher's state: the same
 * notices the app's own checks would raise, from the change between two
 * states the watcher wrote (so a change is noticed once, whoever looked).
 */
export function noticesBetween(previous: AgentState | null, next: AgentState): Notice[] {
  const notices: Notice[] = [];
  if (next.gateway && next.gateway.state !== previous?.gateway?.state) {
    const notice = healthNotice(previous?.gateway?.state ?? null, next.gateway);
    if (notice) notices.push(notice);
  }
  if (next.listeners) notices.push(...listenerNotices(previous?.listeners ?? null, next.listeners));
  if (next.clock) {
    const notice = clockNotice(previous?.clock ?? null, next.clock);
    if (notice) notices.push(notice);
  }
  if (next.lastProbe && next.lastProbe.traceId !== previous?.lastProbe?.traceId) {
    const notice = probeNotice(previous?.lastProbe ?? null, next.lastProbe);
    if (notice) notices.push(notice);
  }
  const upgrade = upgradeNotice(previous?.findings ?? null, next.findings);
  if (upgrade) notices.push(upgrade);
  return notices;
}
