import { basename, dirname, extname } from 'node:path';
import { ipcMain } from 'electron';
import Store from 'electron-store';
import { z } from 'zod';
import { Settings } from '../settings-schema.ts';
import { openSettingsFile, type SettingsFile } from '../store/settings-file.ts';

/**
 * The app's settings live in the very file the CLI reads (`files.settings`:
 * configDir/config.json), so `clawbar status` over SSH judges by the
 * thresholds chosen in the app. electron-store checks the file against a
 * JSON schema derived from the zod Settings (one source of truth) when it
 * opens it and on every write, and zod checks on every read and write, with
 * the same rules the CLI uses. Reads (the file as it is now), revisions and
 * the refusal of a write over a changed file are the store's
 * (main/store/settings-file.ts); electron-store does the writing.
 */

/** The store's per-key JSON schema, from the zod Settings (defaults included, unknown keys tolerated like the CLI does). */
export function settingsJsonSchema(): Record<string, object> {
  const schema = z.toJSONSchema(Settings, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, object> };
  return schema.properties ?? {};
}

/** The file both the app and the CLI use, read as it is now and written only over the revision read. */
export type SettingsStore = SettingsFile;

/**
 * Opens the shared settings file. A file that does not match the schema is
 * an error the caller shows (never cleared: the operator's file is not ours
 * to throw away), the way the CLI exits 65 on it.
 */
export function openSettingsStore(path: string): SettingsStore {
  const store = new Store<Record<string, unknown>>({
    cwd: dirname(path),
    name: basename(path, extname(path)),
    schema: settingsJsonSchema(),
    clearInvalidConfig: false,
    accessPropertiesByDotNotation: false,
    watch: false,
    // The file may hold paging webhook URLs and Alertmanager credentials: private to the user, like the env file.
    configFileMode: 0o600,
  });
  // electron-store answers a synchronous IPC channel for renderer-side stores; ours live only in main, so close it.
  ipcMain.removeAllListeners('electron-store-get-data');
  // Keys a newer clawbar wrote are kept (the file is shared across versions of the app and the CLI): the store writes the whole file as read, with the settings over it.
  return openSettingsFile(store.path, (data) => { store.store = data; });
}
