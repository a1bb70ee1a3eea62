import { createHmac, timingSafeEqual } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUNDLE_ID, BundleManifest, canonicalJson, type BundleTrust } from './manifest.ts';
import { FixRefused } from './types.ts';

export type { BundleTrust } from './manifest.ts';

/** A bundle clawbar did not record, or one another account could have changed: refused, nothing run. */
export class UntrustedBundle extends FixRefused {
  constructor(id: string, dir: string, reason: string) {
    super(`fix bundle ${id} was not recorded by clawbar (${reason}); nothing in it was run or restored. Inspect ${dir} and remove it`);
    this.name = 'UntrustedBundle';
  }
}

export const currentUid = () => process.getuid?.() ?? -1;

/**
 * Why a path cannot be trusted as ours, or null: it must be the kind expected
 * (no symlink), belong to this account and not be writable by group or others.
 */
export async function ownershipProblem(path: string, kind: 'directory' | 'file', uid: number): Promise<string | null> {
  const facts = await lstat(path).catch(() => null);
  if (!facts) return `${path} does not exist`;
  if (facts.isSymbolicLink()) return `${path} is a symbolic link`;
  if (kind === 'directory' ? !facts.isDirectory() : !facts.isFile()) return `${path} is not a ${kind}`;
  if (uid >= 0 && facts.uid !== uid) return `${path} belongs to uid ${facts.uid}, not to this account (uid ${uid})`;
  if ((facts.mode & 0o022) !== 0) return `${path} is writable by ${(facts.mode & 0o002) ? 'others' : 'its group'} (mode 0${(facts.mode & 0o777).toString(8)})`;
  return null;
}

export function signManifest(manifest: BundleManifest, key: Buffer): string {
  return createHmac('sha256', key).update(canonicalJson(manifest)).digest('hex');
}

/** The manifest as written to disk: the manifest and its signature. */
export function manifestText(manifest: BundleManifest, key: Buffer): string {
  return `${JSON.stringify({ ...manifest, mac: signManifest(manifest, key) }, null, 2)}\n`;
}

/**
 * Reads a bundle only if clawbar wrote it for this account: the id is a bundle
 * id (no path in it), the state folder, the bundle folder and the manifest
 * are this account's and not group/other-writable, and the manifest carries a
 * valid signature made with the per-user key.
 */
export async function readTrustedManifest(root: string, id: string, trust: BundleTrust): Promise<{ dir: string; manifest: BundleManifest }> {
  if (!BUNDLE_ID.test(id)) throw new FixRefused(`"${id}" is not a fix id (see \`clawbar fix history\`)`);
  const dir = join(root, id);
  const path = join(dir, 'manifest.json');
  if (!(await lstat(dir).catch(() => null))) throw new FixRefused(`there is no fix ${id} (see \`clawbar fix history\`)`);
  for (const [where, kind] of [[root, 'directory'], [dir, 'directory'], [path, 'file']] as const) {
    const problem = await ownershipProblem(where, kind, trust.uid);
    if (problem) throw new UntrustedBundle(id, dir, problem);
  }
  let raw: unknown;
  try { raw = JSON.parse(await readFile(path, 'utf8')); } catch { throw new UntrustedBundle(id, dir, 'its manifest is not JSON'); }
  const { mac, ...rest } = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const parsed = BundleManifest.safeParse(rest);
  if (!parsed.success) throw new UntrustedBundle(id, dir, 'its manifest is not one clawbar writes');
  const expected = Buffer.from(signManifest(parsed.data, trust.key), 'hex');
  const given = typeof mac === 'string' && /^[0-9a-f]{64}$/.test(mac) ? Buffer.from(mac, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new UntrustedBundle(id, dir, 'its signature does not match this account\'s key');
  // The signature covers what the schema kept; a manifest with extra keys was not written by clawbar either.
  if (canonicalJson(rest) !== canonicalJson(parsed.data)) throw new UntrustedBundle(id, dir, 'its manifest carries fields clawbar never writes');
  if (parsed.data.id !== id) throw new UntrustedBundle(id, dir, `its manifest names another fix (${parsed.data.id})`);
  return { dir, manifest: parsed.data };
}
