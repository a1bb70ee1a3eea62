import { parseDotenv } from './dotenv-file.ts';
import type { VariableSource } from '../contract.ts';
import { InputError } from '../system/errors.ts';
import { fileFacts, readBoundedFile } from '../system/files.ts';
import { evaluateEnvFile, type EnvFileResult } from './env-file.ts';

export const ENV_FILE_MAX_BYTES = 1024 * 1024;

/** Facts about the env file that findings need, gathered once. */
export interface EnvFileFacts {
  path: string;
  readable: boolean;
  readError: string | null;
  mode: number | null;
  mtimeMs: number | null;
  result: EnvFileResult | null;
}

/** One variable of the effective environment, with the layer it came from and the layers it beat. */
export interface MergedVariable {
  value: string;
  source: VariableSource;
  overrides: VariableSource[];
}

/** Reads OpenClaw's env file exactly as the wrapper's `/bin/sh` would evaluate it, over what launchd already set. */
export async function readEnvFile(path: string, inherited: Record<string, string>): Promise<EnvFileFacts> {
  const facts = await fileFacts(path);
  try {
    const text = (await readBoundedFile(path, ENV_FILE_MAX_BYTES)).toString('utf8');
    return { path, readable: true, readError: null, mode: facts.mode ?? null, mtimeMs: facts.mtimeMs ?? null, result: evaluateEnvFile(text, inherited) };
  } catch (error) {
    const message = error instanceof InputError ? error.message : String(error);
    return { path, readable: false, readError: message, mode: facts.mode ?? null, mtimeMs: facts.mtimeMs ?? null, result: null };
  }
}

/** Merges layers in launchd's order; later layers win and remember whom they beat. */
export function mergeLayers(layers: Array<[VariableSource, Record<string, string>]>, removed: Set<string>): Map<string, MergedVariable> {
  const merged = new Map<string, MergedVariable>();
  for (const [source, vars] of layers) {
    for (const [name, value] of Object.entries(vars)) {
      const before = merged.get(name);
      if (before && before.value === value && source !== 'file') continue;
      merged.set(name, { value, source, overrides: before ? [...before.overrides, before.source] : [] });
    }
  }
  for (const name of removed) merged.delete(name);
  return merged;
}

/** `<state>/.env`, which the gateway loads at start-up without overriding what is already set. */
export async function readDotenv(path: string, effective: Record<string, string>): Promise<Record<string, string>> {
  try {
    const parsed = parseDotenv((await readBoundedFile(path, ENV_FILE_MAX_BYTES)).toString('utf8'));
    return Object.fromEntries(Object.entries(parsed).filter(([name]) => effective[name] === undefined));
  } catch {
    return {};
  }
}
