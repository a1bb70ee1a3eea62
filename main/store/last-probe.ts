import { LastProbeRun } from '../contract.ts';
import { readJson, writeJsonAtomic } from '../system/files.ts';

/** Saves the last run (already redacted) atomically, so a reader never sees half a run. */
export async function saveLastProbe(path: string, run: LastProbeRun): Promise<void> {
  await writeJsonAtomic(path, run);
}

/**
 * The last probe run, or null when none has been saved. A file from another
 * version or a damaged one also reads as null: the next run rewrites it, and
 * a report must not fail because of old state.
 */
export async function loadLastProbe(path: string): Promise<LastProbeRun | null> {
  const parsed = LastProbeRun.safeParse(await readJson<unknown>(path, null));
  return parsed.success ? parsed.data : null;
}
