import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Listener } from '../contract.ts';
import { toBaseline, type Baseline } from '../glance/baseline.ts';
import { readJson, writeJsonAtomic } from '../system/files.ts';

/** The runbook's weekly lsof diff: one snapshot a week, a quarter of them kept. */
export const SNAPSHOTS_KEPT = 13;
const WEEK_MS = 7 * 86_400_000;
/** "Last week's" is the newest snapshot at least this old, so a snapshot taken a few hours late still counts. */
const LAST_WEEK_MS = 6.5 * 86_400_000;
const NAME = /^listeners-(\d{4}-\d{2}-\d{2})\.json$/;

/** The kept snapshots, oldest first, by the date in their names. */
export async function listSnapshots(dir: string): Promise<Array<{ date: string; path: string }>> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.flatMap((name) => {
    const date = NAME.exec(name)?.[1];
    return date ? [{ date, path: join(dir, name) }] : [];
  }).sort((a, b) => a.date.localeCompare(b.date));
}

/** Writes today's snapshot when the newest is a week old (or there is none), and drops the oldest past SNAPSHOTS_KEPT. */
export async function keepWeeklySnapshot(dir: string, items: Listener[], now: Date): Promise<string | null> {
  const kept = await listSnapshots(dir);
  const newest = kept.at(-1);
  if (newest && now.getTime() - Date.parse(`${newest.date}T00:00:00Z`) < WEEK_MS) return null;
  const path = join(dir, `listeners-${now.toISOString().slice(0, 10)}.json`);
  await writeJsonAtomic(path, toBaseline(items, now));
  const all = await listSnapshots(dir);
  for (const old of all.slice(0, Math.max(0, all.length - SNAPSHOTS_KEPT))) await rm(old.path, { force: true });
  return path;
}

/** The newest snapshot taken at least about a week ago, or null while none is that old. */
export async function lastWeekSnapshot(dir: string, now: Date): Promise<Baseline | null> {
  for (const entry of (await listSnapshots(dir)).reverse()) {
    const snapshot = await readJson<Baseline | null>(entry.path, null);
    if (snapshot && Array.isArray(snapshot.items) && now.getTime() - Date.parse(snapshot.savedAt) >= LAST_WEEK_MS) return snapshot;
  }
  return null;
}
