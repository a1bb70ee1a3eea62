import { Settings } from './settings-schema.ts';
import { InputError } from './system/errors.ts';
import { readBoundedFile } from './system/files.ts';

export { Settings } from './settings-schema.ts';

/** Reads settings (`files.settings`); a missing file gives the defaults, a broken one is an InputError (exit 65). */
export async function loadSettings(path: string): Promise<Settings> {
  let text: string;
  try {
    text = (await readBoundedFile(path, 1024 * 1024)).toString('utf8');
  } catch (error) {
    if (error instanceof InputError && /no such file/.test(error.message)) return Settings.parse({});
    throw error;
  }
  let data: unknown;
  try { data = JSON.parse(text); } catch { throw new InputError(`${path} is not valid JSON`, path); }
  const parsed = Settings.safeParse(data);
  if (!parsed.success) throw new InputError(`${path}: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`, path);
  return parsed.data;
}
