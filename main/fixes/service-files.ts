import { lstat, readlink, stat } from 'node:fs/promises';
import { build as buildPlist, buildBinary } from 'plist';
import { OPENCLAW_ENV_HEADER, evaluateEnvFile } from '../service/env-file.ts';
import { formatEnvFile, shellQuote } from '../service/env-file-format.ts';
import { parsePlistBytes } from '../service/plist.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import { InputError } from '../system/errors.ts';
import { readBoundedFile } from '../system/files.ts';
import { FixRefused, type FileWrite, type RestartKind } from './types.ts';

/** Variables to set and to remove in the daemon's environment. */
export interface VariableEdit {
  set: Record<string, string>;
  unset: string[];
}

const ENV_FILE_MODE = 0o600;
const PLIST_MODE = 0o644;

/**
 * The current bytes, mode and owner of a file, or nulls when it does not
 * exist; a symbolic link is named with where it points, so the plan can say
 * so and refuse (its bytes are what the link points at).
 */
export async function currentFile(path: string): Promise<Pick<FileWrite, 'before' | 'beforeMode' | 'uid' | 'gid' | 'symlink'>> {
  const link = await lstat(path).then((l) => (l.isSymbolicLink() ? readlink(path) : null), () => null);
  const facts = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw new InputError(`cannot read ${path}: ${error.message}`, path);
  });
  if (!facts) return { before: null, beforeMode: null, uid: null, gid: null, symlink: link };
  return { before: await readBoundedFile(path), beforeMode: facts.mode & 0o7777, uid: facts.uid, gid: facts.gid, symlink: link };
}

/**
 * Applies an edit to an env file's text. A file in OpenClaw's exact format is
 * regenerated in that format (header, sorted `export K='v'`); a hand-edited one
 * gets line edits. Either way the result is re-evaluated as /bin/sh would and
 * must give exactly the intended environment with the header intact.
 */
export function editEnvFileText(text: string, edit: VariableEdit, inherited: Record<string, string> = {}): string {
  const parsed = evaluateEnvFile(text, inherited);
  if (!parsed.headerOk) throw new FixRefused('the env file\'s first line is not OpenClaw\'s header, so the wrapper already exits 78 and the gateway cannot start; repair it with `openclaw gateway install --force` first');
  if (parsed.fatal) throw new FixRefused('the env file already stops the wrapper (see `clawbar env`); repair it with `openclaw gateway install --force` first');
  const current = Object.fromEntries([...parsed.assigned].map(([name, a]) => [name, a.value]));
  const wanted: Record<string, string> = { ...current, ...edit.set };
  for (const name of edit.unset) delete wanted[name];
  let next: string;
  if (formatEnvFile(current) === text) {
    next = formatEnvFile(wanted);
  } else {
    const lines = text.split('\n');
    const assignment = (name: string) => new RegExp(`^\\s*(export\\s+)?${name}=`);
    for (const name of edit.unset) {
      const index = lines.findIndex((line) => assignment(name).test(line));
      if (index > 0) lines.splice(index, 1);
    }
    for (const [name, value] of Object.entries(edit.set)) {
      const index = lines.findIndex((line) => assignment(name).test(line));
      const line = `export ${name}=${shellQuote(value)}`;
      if (index > 0) lines[index] = line;
      else lines.splice(lines.at(-1) === '' ? lines.length - 1 : lines.length, 0, line);
    }
    next = lines.join('\n');
  }
  const check = evaluateEnvFile(next, inherited);
  if (!check.headerOk || check.header !== OPENCLAW_ENV_HEADER) throw new FixRefused('refusing to write an env file whose first line is not OpenClaw\'s header: the wrapper would exit 78 and the gateway would not start');
  const got = Object.fromEntries([...check.assigned].map(([name, a]) => [name, a.value]));
  const same = Object.keys(wanted).length === Object.keys(got).length && Object.entries(wanted).every(([k, v]) => got[k] === v);
  if (check.fatal || !same) throw new FixRefused('the env file is edited by hand in a way clawbar cannot change safely; run `openclaw gateway install --force` to regenerate it, then retry');
  return next;
}

/** A plist rewritten in its own format (XML or binary) after `mutate` changed its dictionary. */
export async function plistWrite(path: string, mutate: (dict: Record<string, unknown>) => void, mode?: number): Promise<FileWrite> {
  const current = await currentFile(path);
  if (!current.before) throw new InputError(`${path} does not exist`, path);
  const { value, format } = parsePlistBytes(current.before, path);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InputError(`${path} is not a plist dictionary`, path);
  const dict = structuredClone(value) as Record<string, unknown>;
  mutate(dict);
  const content = format === 'binary' ? Buffer.from(buildBinary(dict as never)) : Buffer.from(`${buildPlist(dict as never)}\n`);
  return { path, role: 'plist', content, mode: mode ?? current.beforeMode ?? PLIST_MODE, ...current };
}

/**
 * Writes a variable edit where the service really reads it: OpenClaw's env
 * file for the wrapper layout (restart with kickstart: the wrapper re-reads it),
 * the plist's EnvironmentVariables for the inline layout (reload: launchd
 * reads the plist only at bootstrap). A variable set inline under the wrapper
 * layout and removed by the edit is removed from the plist too.
 */
export async function environmentWrites(service: ServiceEnvironment, edit: VariableEdit, options: { holdsSecret: boolean }): Promise<{ writes: FileWrite[]; restart: RestartKind }> {
  const plistPath = service.facts.service?.plistPath;
  if (!plistPath || !service.layout) throw new FixRefused('no gateway service found (give --plist PATH)');
  const writes: FileWrite[] = [];
  const inline = service.job?.environmentVariables ?? {};
  if (service.layout.kind === 'env-wrapper') {
    const envPath = service.layout.envFilePath;
    if (!envPath) throw new FixRefused('the service runs the env wrapper without an env file argument');
    const current = await currentFile(envPath);
    if (!current.before) throw new FixRefused(`${envPath} does not exist; run \`openclaw gateway install --force\` to recreate it`);
    const content = Buffer.from(editEnvFileText(current.before.toString('utf8'), edit, service.env));
    writes.push({ path: envPath, role: 'env-file', content, mode: ENV_FILE_MODE, ...current });
    const inlineUnset = edit.unset.filter((name) => name in inline);
    if (inlineUnset.length > 0) writes.push(await plistWrite(plistPath, (dict) => removeVariables(dict, inlineUnset)));
  } else {
    // A plist is world-readable by default; one that now holds a credential is not.
    const plistMode = options.holdsSecret ? 0o600 : undefined;
    writes.push(await plistWrite(plistPath, (dict) => {
      const vars = { ...(dict.EnvironmentVariables as Record<string, string> | undefined), ...edit.set };
      for (const name of edit.unset) delete vars[name];
      dict.EnvironmentVariables = vars;
    }, plistMode));
  }
  return { writes, restart: writes.some((w) => w.role === 'plist') ? 'reload' : 'kickstart' };
}

/** Removes inline variables; an EnvironmentVariables left empty goes too, as OpenClaw's installer writes none. */
function removeVariables(dict: Record<string, unknown>, names: string[]): void {
  const vars = { ...(dict.EnvironmentVariables as Record<string, string> | undefined) };
  for (const name of names) delete vars[name];
  if (Object.keys(vars).length > 0) dict.EnvironmentVariables = vars;
  else delete dict.EnvironmentVariables;
}
