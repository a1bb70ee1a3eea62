import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDir, writeFileAtomic } from '../system/atomic-write.ts';
import type { Executor } from '../system/exec.ts';
import { sha256, writeManifest, type BundleManifest } from './bundle.ts';
import { runRestart, runStep, type Step } from './restart.ts';
import { FixRefused } from './types.ts';

async function currentHash(path: string): Promise<string | null> {
  try { return sha256(await readFile(path)); } catch { return null; }
}

/**
 * Puts every file of a bundle back as it was: same bytes, mode and owner;
 * files the fix created are removed. A file that is neither the old nor the
 * new version was changed by someone else since: refused unless forced, since
 * restoring would throw their change away.
 */
export async function restoreFiles(dir: string, manifest: BundleManifest, options: { force: boolean }): Promise<string[]> {
  const restored: string[] = [];
  for (const file of manifest.files) {
    const now = await currentHash(file.path);
    if (!options.force && now !== file.sha256After && now !== file.sha256Before) {
      throw new FixRefused(`${file.path} was changed by someone else after the fix; restore it by hand from ${dir} or use --force`);
    }
  }
  for (const file of manifest.files) {
    if (file.existed && file.backup) {
      const original = await readFile(join(dir, file.backup));
      const mode = file.mode ?? 0o600;
      const owner = await stat(file.path).then((s) => ({ uid: s.uid, gid: s.gid }), () => null);
      const keepOwner = file.uid !== null && file.gid !== null && (!owner || owner.uid !== file.uid || owner.gid !== file.gid);
      await writeFileAtomic(file.path, original, { mode, ...(keepOwner ? { uid: file.uid!, gid: file.gid! } : {}) });
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

/**
 * Undoes a fix: files back (restoreFiles), the fix's commands undone (the CA
 * out of the keychain), the service restarted with `restart`, the bundle
 * marked rolled back. Shared by `fix rollback` and the automatic rollback
 * after a failed write, restart or verification.
 */
export async function undoBundle(exec: Executor, dir: string, manifest: BundleManifest, restart: Step[], options: { force: boolean }): Promise<{ restored: string[]; undoFailures: string[]; restart: { ok: boolean; detail: string } }> {
  const restored = await restoreFiles(dir, manifest, options);
  const runOptions = { isRoot: process.getuid?.() === 0, platform: process.platform };
  const undoFailures: string[] = [];
  for (const undo of manifest.undo) {
    const result = await runStep(exec, undo, runOptions);
    if (result.code !== 0) undoFailures.push(`${undo.command} ${undo.args[0]}: ${(result.stderr || result.stdout).trim()}`);
  }
  const restarted = await runRestart(exec, restart, runOptions);
  manifest.state = 'rolled-back';
  await writeManifest(dir, manifest);
  return { restored, undoFailures, restart: restarted };
}
