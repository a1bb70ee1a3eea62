import { chmod } from 'node:fs/promises';
import { pagingSecrets } from '../paging/bodies.ts';
import type { Settings } from '../settings-schema.ts';
import { fileFacts } from '../system/files.ts';

/**
 * Makes the settings file 0600 when it holds paging secrets (webhook URLs,
 * Alertmanager credentials) and others can read it. Returns the mode it had,
 * or null when nothing needed changing.
 */
export async function privateSettings(path: string, settings: Settings): Promise<string | null> {
  if (pagingSecrets(settings.paging.notifiers, settings.paging.heartbeatUrl).length === 0) return null;
  const facts = await fileFacts(path);
  if (!facts.exists || !facts.isFile || facts.mode === undefined || (facts.mode & 0o077) === 0) return null;
  await chmod(path, 0o600);
  return `0${(facts.mode & 0o777).toString(8)}`;
}
