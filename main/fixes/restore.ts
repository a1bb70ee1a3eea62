import { lstat, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDir, writeFileAtomic } from '../system/atomic-write.ts';
import type { Executor } from '../system/exec.ts';
import { writeManifest } from './bundle.ts';
import { sha256, type BundleManifest, type UndoStep } from './manifest.ts';
import { runRestart, runStep, type Step } from './restart.ts';
import { FixRefused } from './types.ts';

async function currentHash(path: string): Promise<string | null> {
  try { return sha256(await readFile(path)); } catch { return null; }
}

/** The saved original, only if it is the file the manifest recorded (same hash), read without following links. */
async function backupOf(dir: string, file: BundleManifest['files'][number]): Promise<Buffer> {
  const path = join(dir, file.backup!);
  const facts = await lstat(path).catch(() => null);
  if (!facts?.isFile()) throw new FixRefused(`the saved copy of ${file.path} is missing from ${dir}`);
  const bytes = await readFile(path);
  if (sha256(bytes) !== file.sha256Before) throw new FixRefused(`the saved copy of ${file.path} in ${dir} is not the one recorded`);
  return bytes;
}

/**
 * Puts every file of a bundle back as it was: same bytes and mode, and the
 * recorded owner when it is the owner of the file's folder (a service file
 * belongs to the account whose folder holds it; no other chown is made).
 * Files the fix created are removed. A file that is neither the old nor the
 * new version was changed by someone else since: refused unless forced, since
 * restoring would throw their change away. A service file that is now a
 * symbolic link is never written through.
 */
export async function restoreFiles(dir: string, manifest: BundleManifest, options: { force: boolean }): Promise<string[]> {
  const restored: string[] = [];
  const originals = new Map<string, Buffer>();
  for (const file of manifest.files) {
    if ((await lstat(file.path).catch(() => null))?.isSymbolicLink()) throw new FixRefused(`${file.path} is now a symbolic link; restore it by hand from ${dir}`);
    const now = await currentHash(file.path);
    if (!options.force && now !== file.sha256After && now !== file.sha256Before) {
      throw new FixRefused(`${file.path} was changed by someone else after the fix; restore it by hand from ${dir} or use --force`);
    }
    if (file.existed && file.backup) originals.set(file.path, await backupOf(dir, file));
  }
  for (const file of manifest.files) {
    const original = originals.get(file.path);
    if (original) {
      const folder = await stat(dirname(file.path));
      const owner = await stat(file.path).then((s) => ({ uid: s.uid, gid: s.gid }), () => null);
      const keepOwner = file.uid === folder.uid && file.gid !== null && (!owner || owner.uid !== file.uid || owner.gid !== file.gid);
      await writeFileAtomic(file.path, original, { mode: (file.mode ?? 0o600) & 0o777, ...(keepOwner ? { uid: file.uid!, gid: file.gid! } : {}) });
      restored.push(file.path);
    } else if (!file.existed) {
      await rm(file.path, { force: true });
      await syncDir(dirname(file.path)).catch(() => undefined);
      restored.push(`${file.path} (removed: the fix created it)`);
    }
    await removeStaleTemps(file.path);
  }
  return restored;
}

/** Temp files an interrupted atomic write left beside `path` (`.<name>.<pid>.<random>.tmp`). */
async function removeStaleTemps(path: string): Promise<void> {
  const prefix = `.${basename(path)}.`;
  for (const name of await readdir(dirname(path)).catch(() => [] as string[])) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) await rm(join(dirname(path), name), { force: true });
  }
}

/** The command an undo step stands for, rebuilt from its type: the certificate the fix added, from the bundle folder. */
export function undoCommand(dir: string, undo: UndoStep): Step {
  return { command: 'security', args: ['remove-trusted-cert', '-d', join(dir, undo.attachment)], admin: undo.admin };
}

/**
 * Undoes a fix: files back (restoreFiles), the commands that ran undone (the
 * CA out of the keychain, and only a CA the fix added: a command that never
 * ran is not undone, so a CA trusted before the fix stays), the service
 * restarted with `restart`, the bundle marked rolled back. Shared by `fix
 * rollback` and the automatic rollback after a failed write, restart or
 * verification.
 */
export async function undoBundle(exec: Executor, dir: string, manifest: BundleManifest, restart: Step[], options: { force: boolean; key: Buffer }): Promise<{ restored: string[]; undoFailures: string[]; restart: { ok: boolean; detail: string } }> {
  const restored = await restoreFiles(dir, manifest, options);
  const runOptions = { isRoot: process.getuid?.() === 0, platform: process.platform };
  const undoFailures: string[] = [];
  for (const undo of manifest.undo.filter((u) => u.ran)) {
    if (await currentHash(join(dir, undo.attachment)) !== undo.sha256) { undoFailures.push(`${undo.attachment} in ${dir} is not the certificate the fix added; not removed`); continue; }
    const result = await runStep(exec, undoCommand(dir, undo), runOptions);
    if (result.code !== 0) undoFailures.push(`security remove-trusted-cert: ${(result.stderr || result.stdout).trim()}`);
  }
  const restarted = await runRestart(exec, restart, runOptions);
  manifest.state = 'rolled-back';
  await writeManifest(dir, manifest, options.key);
  return { restored, undoFailures, restart: restarted };
}
