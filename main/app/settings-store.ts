import { basename, dirname, extname } from 'node:path';
import { ipcMain } from 'electron';
import Store from 'electron-store';
import { z } from 'zod';
import { Settings } from '../settings-schema.ts';

/**
 * The app's settings live in the very file the CLI reads (`files.settings`:
 * configDir/config.json), so `clawbar status` over SSH judges by the
 * thresholds chosen in the app. electron-store checks the file against a
 * JSON schema derived from the zod Settings (one source of truth), and zod
 * checks again on every read and write, with the same rules the CLI uses.
 */

/** The store's per-key JSON schema, from the zod Settings (defaults included, unknown keys tolerated like the CLI does). */
export function settingsJsonSchema(): Record<string, object> {
  const schema = z.toJSONSchema(Settings, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, object> };
  return schema.properties ?? {};
}

export interface SettingsStore {
  /** The file both the app and the CLI use. */
  readonly path: string;
  read(): Settings;
  write(settings: Settings): Settings;
}

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
  return {
    path: store.path,
    read: () => Settings.parse(store.store),
    write: (settings) => {
      const valid = Settings.parse(settings);
      // Keys a newer clawbar wrote are kept: the file is shared across versions of the app and the CLI.
      store.store = { ...store.store, ...valid };
      return valid;
    },
  };
}
