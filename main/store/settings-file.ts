import { createHmac, randomBytes } from 'node:crypto';
import { STALE_SETTINGS } from '../contract/settings.ts';
import { parseSettings, readSettingsBytes } from '../settings.ts';
import { Settings } from '../settings-schema.ts';
import { writeFileAtomic } from '../system/atomic-write.ts';

/** The settings file's settings and the revision of the bytes they were read from. */
export interface SettingsSnapshot { settings: Settings; revision: string }

/**
 * The one settings file (`files.settings`) that the app, the watcher and the
 * CLI share, and that the operator edits by hand ("Open Settings File"): the
 * app reads it as it is now whenever it shows or saves settings, and writes
 * only over the revision it read, so an editor's change is never overwritten
 * by a form loaded before it.
 */
export interface SettingsFile {
  readonly path: string;
  /** The file as it is now; a file that does not parse is an error (never rewritten). */
  read(): Promise<SettingsSnapshot>;
  /**
   * Writes `settings` over the file whose revision is `revision`, keeping the
   * keys this version does not know; refuses, writing nothing, when the file
   * has changed since. Answers the file as written.
   */
  write(settings: Settings, revision: string): Promise<SettingsSnapshot>;
}

/** How the whole object reaches the disk; the app hands electron-store's (its JSON-schema check, 0600). */
export type SettingsWriter = (data: Record<string, unknown>) => Promise<void> | void;

/** The default writer: atomic (a crash leaves the old file or the new one), private to the user, since it may hold paging secrets. */
const atomicWriter = (path: string): SettingsWriter => (data) => writeFileAtomic(path, `${JSON.stringify(data, null, '\t')}\n`, { mode: 0o600, createDirMode: 0o700 });

/**
 * Opens the settings file. A revision is an HMAC of the file's bytes under a
 * key made for this process: it changes with any change to the file and
 * answers nothing else — a plain hash of a file holding a short password,
 * everything else of which the popover sees, would let the renderer test
 * guesses at that password offline.
 */
export function openSettingsFile(path: string, writer: SettingsWriter = atomicWriter(path)): SettingsFile {
  const key = randomBytes(32);
  const revisionOf = (bytes: Buffer | null) => createHmac('sha256', key).update(bytes === null ? 'absent' : Buffer.concat([Buffer.from('file\0'), bytes])).digest('base64url').slice(0, 32);
  const look = async () => {
    const bytes = await readSettingsBytes(path);
    return { ...parseSettings(path, bytes), revision: revisionOf(bytes) };
  };
  // One write at a time: two saves of the same revision must not both pass the check before either writes.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    path,
    read: async () => {
      const { settings, revision } = await look();
      return { settings, revision };
    },
    write(settings, revision) {
      const writing = queue.then(async () => {
        const now = await look();
        if (now.revision !== revision) throw new Error(`${STALE_SETTINGS}; reload it and edit again`);
        await writer({ ...now.raw, ...Settings.parse(settings) });
        const { settings: written, revision: next } = await look();
        return { settings: written, revision: next };
      });
      queue = writing.catch(() => undefined);
      return writing;
    },
  };
}
