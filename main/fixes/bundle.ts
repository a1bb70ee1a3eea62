import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { FileRole, FixBundleSummary, FixKind } from '../contract.ts';
import { writeFileAtomic } from '../system/atomic-write.ts';
import { InputError } from '../system/errors.ts';
import type { FileWrite, FixCommand, RestartKind } from './types.ts';

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The manifest of a rollback bundle: enough to put every file back byte for byte, with its mode and owner. */
export const BundleManifest = z.object({
  schema: z.literal('clawbar.fix-bundle/1'),
  id: z.string(),
  kind: FixKind,
  createdAt: z.string(),
  state: FixBundleSummary.shape.state,
  summary: z.string(),
  plistPath: z.string().nullable(),
  serviceTarget: z.string().nullable(),
  restart: z.enum(['kickstart', 'reload', 'none']),
  files: z.array(z.object({
    path: z.string(),
    role: FileRole,
    existed: z.boolean(),
    mode: z.number().nullable(),
    uid: z.number().nullable(),
    gid: z.number().nullable(),
    sha256Before: z.string().nullable(),
    sha256After: z.string(),
    modeAfter: z.number(),
    /** Name of the saved original inside the bundle folder. */
    backup: z.string().nullable(),
  })),
  /** Undo commands for what the fix ran (e.g. remove the CA from the System keychain). */
  undo: z.array(z.object({ command: z.string(), args: z.array(z.string()), admin: z.boolean() })),
});
export type BundleManifest = z.infer<typeof BundleManifest>;

const ID = /^\d{8}-\d{6}-[a-z]+-[0-9a-f]{4}$/;

export function newBundleId(kind: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${kind}-${randomBytes(2).toString('hex')}`;
}

export async function writeManifest(dir: string, manifest: BundleManifest): Promise<void> {
  await writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Saves every file the fix will touch (bytes, mode, owner) and the files its
 * commands need, then the manifest in state `prepared`. Written before any
 * service file changes, so a crash from here on can always be rolled back.
 */
export async function createBundle(root: string, input: {
  id: string; kind: FixKind; summary: string; plistPath: string | null; serviceTarget: string | null; restart: RestartKind;
  writes: FileWrite[]; commands: FixCommand[]; attachments: Array<{ name: string; content: Buffer }>;
}): Promise<{ dir: string; manifest: BundleManifest }> {
  const dir = join(root, input.id);
  await mkdir(root, { recursive: true, mode: 0o700 });
  await mkdir(dir, { mode: 0o700 });
  const files: BundleManifest['files'] = [];
  for (const [index, write] of input.writes.entries()) {
    const backup = write.before ? `file-${index}.orig` : null;
    if (backup && write.before) await writeFileAtomic(join(dir, backup), write.before, { mode: 0o600 });
    files.push({
      path: write.path, role: write.role, existed: write.before !== null, mode: write.beforeMode, uid: write.uid, gid: write.gid,
      sha256Before: write.before ? sha256(write.before) : null, sha256After: sha256(write.content), modeAfter: write.mode, backup,
    });
  }
  for (const attachment of input.attachments) await writeFileAtomic(join(dir, attachment.name), attachment.content, { mode: 0o600 });
  const manifest: BundleManifest = {
    schema: 'clawbar.fix-bundle/1', id: input.id, kind: input.kind, createdAt: new Date().toISOString(), state: 'prepared',
    summary: input.summary, plistPath: input.plistPath, serviceTarget: input.serviceTarget, restart: input.restart, files,
    undo: input.commands.filter((c) => c.undo).map((c) => ({ ...c.undo!, args: c.undo!.args.map((a) => a.replace('{bundle}', dir)), admin: c.admin })),
  };
  await writeManifest(dir, manifest);
  return { dir, manifest };
}

export async function readManifest(root: string, id: string): Promise<{ dir: string; manifest: BundleManifest }> {
  if (!ID.test(id)) throw new InputError(`"${id}" is not a fix id (see \`clawbar fix history\`)`);
  const dir = join(root, id);
  let text: string;
  try { text = await readFile(join(dir, 'manifest.json'), 'utf8'); } catch {
    throw new InputError(`no fix bundle ${id} in ${root} (see \`clawbar fix history\`)`);
  }
  const parsed = BundleManifest.safeParse((() => { try { return JSON.parse(text); } catch { return null; } })());
  if (!parsed.success) throw new InputError(`${join(dir, 'manifest.json')} is damaged; restore its files by hand from that folder`);
  return { dir, manifest: parsed.data };
}

/** Every bundle, newest first; unreadable ones are skipped (they show up in the folder, not here). */
export async function listBundles(root: string): Promise<BundleManifest[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const manifests: BundleManifest[] = [];
  for (const name of names.filter((n) => ID.test(n)).sort().reverse()) {
    try { manifests.push((await readManifest(root, name)).manifest); } catch { /* a damaged bundle is listed by its folder only */ }
  }
  return manifests;
}

export function summarize(manifest: BundleManifest): FixBundleSummary {
  return {
    id: manifest.id, kind: manifest.kind, createdAt: manifest.createdAt, state: manifest.state, plistPath: manifest.plistPath,
    files: manifest.files.map((f) => ({ path: f.path, role: f.role, existed: f.existed })), summary: manifest.summary,
  };
}

/** `fix history`: the bundles as summaries, newest first. */
export async function listFixBundles(root: string): Promise<FixBundleSummary[]> {
  return (await listBundles(root)).map(summarize);
}

/** Removes a bundle that never changed anything (the fix was refused after the backup). */
export const discardBundle = (dir: string) => rm(dir, { recursive: true, force: true });
