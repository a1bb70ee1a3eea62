import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FixBundleSummary, FixKind, FixRequest } from '../contract.ts';
import { writeFileAtomic } from '../system/atomic-write.ts';
import { manifestText, ownershipProblem, readTrustedManifest, type BundleTrust } from './bundle-trust.ts';
import { BUNDLE_ID, REQUEST_CERT, sha256, summarize, type BundleManifest, type Expectation } from './manifest.ts';
import { sealRequest } from './request-seal.ts';
import { FixRefused, type FileWrite, type FixCommand, type RestartKind } from './types.ts';

export { sha256, type BundleManifest } from './manifest.ts';

export function newBundleId(kind: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${kind}-${randomBytes(2).toString('hex')}`;
}

/** Writes the manifest with its signature; every state change goes through here, so every state is signed. */
export async function writeManifest(dir: string, manifest: BundleManifest, key: Buffer): Promise<void> {
  await writeFileAtomic(join(dir, 'manifest.json'), manifestText(manifest, key), { mode: 0o600 });
}

export interface BundleInput {
  id: string; kind: FixKind; summary: string; plistPath: string | null; serviceTarget: string | null; restart: RestartKind;
  writes: FileWrite[]; commands: FixCommand[]; attachments: Array<{ name: string; content: Buffer }>;
  request: FixRequest; expect: Expectation[];
}

/**
 * Saves every file the fix will touch (bytes, mode, owner) and the files its
 * commands need, then the signed manifest in state `prepared`. Written before
 * any service file changes, so a crash from here on can always be rolled back.
 * The state folder must be this account's alone, or a rollback would refuse
 * the bundle later.
 */
export async function createBundle(root: string, input: BundleInput, trust: BundleTrust): Promise<{ dir: string; manifest: BundleManifest }> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const unsafe = await ownershipProblem(root, 'directory', trust.uid);
  if (unsafe) throw new FixRefused(`the rollback store cannot be trusted (${unsafe}); make it private to this account first`);
  const dir = join(root, input.id);
  await mkdir(dir, { mode: 0o700 });
  const files: BundleManifest['files'] = [];
  for (const [index, write] of input.writes.entries()) {
    const backup = write.before ? `file-${index}.orig` : null;
    if (backup && write.before) await writeFileAtomic(join(dir, backup), write.before, { mode: 0o600 });
    files.push({
      path: write.path, role: write.role, existed: write.before !== null, mode: write.beforeMode === null ? null : write.beforeMode & 0o777,
      uid: write.uid, gid: write.gid, sha256Before: write.before ? sha256(write.before) : null, sha256After: sha256(write.content),
      modeAfter: write.mode & 0o777, backup,
    });
  }
  for (const attachment of input.attachments) await writeFileAtomic(join(dir, attachment.name), attachment.content, { mode: 0o600 });
  const undo: BundleManifest['undo'] = input.commands.flatMap((command, index) => {
    if (!command.undo) return [];
    const file = input.attachments.find((a) => a.name === command.undo!.attachment);
    if (!file) throw new Error(`the undo of ${command.command} names ${command.undo.attachment}, which the fix does not attach`);
    return [{ kind: command.undo.kind, attachment: file.name, sha256: sha256(file.content), admin: command.admin, command: index, ran: false }];
  });
  const manifest: BundleManifest = {
    schema: 'clawbar.fix-bundle/2', id: input.id, kind: input.kind, createdAt: new Date().toISOString(), state: 'prepared',
    summary: input.summary, plistPath: input.plistPath, serviceTarget: input.serviceTarget, restart: input.restart, files, undo,
    ...sealRequest(input.request, trust.key), expect: input.expect, fixed: { targets: [], exposure: input.kind === 'bind' },
  };
  await writeManifest(dir, manifest, trust.key);
  return { dir, manifest };
}

export interface BundleListing {
  /** Bundles clawbar recorded, newest first. */
  bundles: BundleManifest[];
  /** Folders with a bundle's name that clawbar did not record (or another account could have changed), with why. */
  ignored: Array<{ id: string; reason: string }>;
}

/** Every bundle, newest first: only the ones clawbar recorded; the others are named with the reason they are ignored. */
export async function listBundles(root: string, trust: () => Promise<BundleTrust>): Promise<BundleListing> {
  const names = (await readdir(root).catch(() => [] as string[])).filter((n) => BUNDLE_ID.test(n)).sort().reverse();
  const listing: BundleListing = { bundles: [], ignored: [] };
  if (names.length === 0) return listing;
  const keys = await trust();
  for (const name of names) {
    try { listing.bundles.push((await readTrustedManifest(root, name, keys)).manifest); } catch (error) {
      listing.ignored.push({ id: name, reason: (error as Error).message });
    }
  }
  return listing;
}

/** `fix history`: the recorded bundles as summaries, newest first. */
export async function listFixBundles(root: string, trust: () => Promise<BundleTrust>): Promise<FixBundleSummary[]> {
  return (await listBundles(root, trust)).bundles.map(summarize);
}

/** Removes a bundle that never changed anything (the fix was refused after the backup). */
export const discardBundle = (dir: string) => rm(dir, { recursive: true, force: true });

export { REQUEST_CERT };
