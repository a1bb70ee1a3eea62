import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ProbeBaseline, type Phases } from '../contract.ts';
import { BASELINE_NAME, type RecentRuns } from '../probes/baseline.ts';
import { UsageError } from '../system/errors.ts';
import { readJson, writeJsonAtomic } from '../system/files.ts';
import { readLogTail } from './jsonl-log.ts';

/** A name is a file name in the baselines folder, checked before anything is read or written. */
export function baselinePath(dir: string, name: string): string {
  if (!BASELINE_NAME.test(name)) throw new UsageError(`baseline name '${name}': use letters, digits, '.', '-' and '_' (at most 64, no path separators, not starting with '.')`);
  return join(dir, `${name}.json`);
}

export async function saveBaseline(dir: string, baseline: ProbeBaseline): Promise<string> {
  const path = baselinePath(dir, baseline.name);
  await writeJsonAtomic(path, baseline);
  return path;
}

/** A saved baseline, or null when there is none by that name (or it is damaged). */
export async function loadBaseline(dir: string, name: string): Promise<ProbeBaseline | null> {
  const parsed = ProbeBaseline.safeParse(await readJson<unknown>(baselinePath(dir, name), null));
  return parsed.success ? parsed.data : null;
}

/** Every saved baseline's name, newest first. */
export async function listBaselines(dir: string): Promise<Array<{ name: string; savedAt: string }>> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)).filter((n) => BASELINE_NAME.test(n));
  const found = await Promise.all(names.slice(0, 500).map(async (name) => ({ name, baseline: await loadBaseline(dir, name) })));
  return found.flatMap(({ name, baseline }) => (baseline ? [{ name, savedAt: baseline.savedAt }] : [])).sort((a, b) => b.savedAt.localeCompare(a.savedAt));
}

/** The baselines folder's modification time (a save renames its file into the folder), or null when there is no folder. */
export function baselinesStamp(dir: string): Promise<number | null> {
  return stat(dir).then((s) => s.mtimeMs, () => null);
}

/** Enough of the probe log's tail for the last few runs of a large suite. */
const TAIL_BYTES = 1024 * 1024;

/** Runs of the daemon's probe suite from the probe log, newest first, with the phases of each target that passed. */
export async function recentRuns(logPath: string): Promise<RecentRuns> {
  const runs = new Map<string, { at: string; phases: Map<string, Phases> }>();
  for (const record of (await readLogTail(logPath, TAIL_BYTES)) as Array<{ time?: unknown; traceId?: unknown; source?: unknown; target?: unknown; ok?: unknown; phases?: Phases }>) {
    if (typeof record.traceId !== 'string' || typeof record.time !== 'string' || record.source !== 'daemon' || typeof record.target !== 'string') continue;
    const run = runs.get(record.traceId) ?? { at: record.time, phases: new Map<string, Phases>() };
    if (record.ok === true && record.phases && typeof record.phases.totalMs === 'number') run.phases.set(record.target, record.phases);
    runs.set(record.traceId, run);
  }
  return [...runs.values()].sort((a, b) => b.at.localeCompare(a.at));
}
