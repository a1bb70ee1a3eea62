import { DaemonRuntime } from '../contract.ts';
import { emptyRuntime } from '../probes/upgrade.ts';
import { readJson, writeJsonAtomic } from '../system/files.ts';

/** What was last seen of the daemon's runtime; a missing or damaged file starts afresh (the next look only remembers). */
export async function loadDaemonRuntime(path: string): Promise<DaemonRuntime> {
  const parsed = DaemonRuntime.safeParse(await readJson<unknown>(path, null));
  return parsed.success ? parsed.data : emptyRuntime();
}

/** Replaced atomically, private like every state file. */
export async function saveDaemonRuntime(path: string, state: DaemonRuntime): Promise<void> {
  await writeJsonAtomic(path, state);
}
