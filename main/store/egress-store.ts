import { EgressObservations } from '../contract.ts';
import { emptyObservations } from '../glance/egress.ts';
import { readJson, writeJsonAtomic } from '../system/files.ts';
import { withFileLock } from './file-lock.ts';

/** A month of observations: long enough for "allowlisted but never seen" to mean something, short enough to forget a decommissioned host. */
export const EGRESS_RETAIN_MS = 30 * 86_400_000;

/** The kept observations; a missing, damaged or foreign file starts a new window (state is rebuilt, never fatal). */
export async function loadEgress(path: string): Promise<EgressObservations> {
  const parsed = EgressObservations.safeParse(await readJson<unknown>(path, null));
  return parsed.success ? parsed.data : emptyObservations();
}

/** Replaced atomically, private (addresses and host names of a node are not for other users). */
export async function saveEgress(path: string, kept: EgressObservations): Promise<void> {
  await writeJsonAtomic(path, kept);
}

/**
 * The kept observations changed by `change`, read and written under a lock
 * file beside them: the watcher merges a sample every few seconds while
 * `egress observe` may merge its own, and neither may drop the other's.
 */
export function updateEgress(path: string, change: (kept: EgressObservations) => EgressObservations): Promise<EgressObservations> {
  return withFileLock(`${path}.lock`, async () => {
    const next = change(await loadEgress(path));
    await saveEgress(path, next);
    return next;
  });
}
