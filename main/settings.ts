import { Settings } from './settings-schema.ts';
import { InputError } from './system/errors.ts';
import { readBoundedFile } from './system/files.ts';

export { Settings } from './settings-schema.ts';

/** The settings file's size limit: a few notifiers and thresholds, far below it. */
const MAX_SETTINGS_BYTES = 1024 * 1024;

/** The settings file's bytes as they are now, or null when there is no file. */
export async function readSettingsBytes(path: string): Promise<Buffer | null> {
  try {
    return await readBoundedFile(path, MAX_SETTINGS_BYTES);
  } catch (error) {
    if (error instanceof InputError && /no such file/.test(error.message)) return null;
    throw error;
  }
}

/**
 * The settings in a settings file's bytes (none: the defaults), and the whole
 * object they came from, keys a newer clawbar wrote included; a broken file
 * is an InputError (exit 65).
 */
export function parseSettings(path: string, bytes: Buffer | null): { raw: Record<string, unknown>; settings: Settings } {
  if (bytes === null) return { raw: {}, settings: Settings.parse({}) };
  let data: unknown;
  try { data = JSON.parse(bytes.toString('utf8')); } catch { throw new InputError(`${path} is not valid JSON`, path); }
  const parsed = Settings.safeParse(data);
  if (!parsed.success) throw new InputError(`${path}: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`, path);
  return { raw: data as Record<string, unknown>, settings: parsed.data };
}

/** Reads settings (`files.settings`); a missing file gives the defaults, a broken one is an InputError (exit 65). */
export async function loadSettings(path: string): Promise<Settings> {
  return parseSettings(path, await readSettingsBytes(path)).settings;
}
