import { createHash } from 'node:crypto';
import { z } from 'zod';
import { FileRole, FixBundleSummary, FixKind, FixRequest } from '../contract.ts';

export const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
/** Ordinary file modes only: no manifest can ask for setuid, setgid or sticky bits. */
const Mode = z.number().int().min(0).max(0o777);

/**
 * An undo step as a typed description, never argv: rollback rebuilds the
 * command from it (`security remove-trusted-cert -d <bundle>/<attachment>`),
 * checks the attachment is the certificate the fix added, and runs it only
 * when the command that added it ran to success.
 */
export const UndoStep = z.object({
  kind: z.literal('remove-trusted-cert'),
  attachment: z.string().regex(/^ca-\d{1,3}\.pem$/),
  sha256: Sha256,
  admin: z.boolean(),
  /** Index of the fix command this undoes. */
  command: z.number().int().min(0),
  ran: z.boolean(),
});
export type UndoStep = z.infer<typeof UndoStep>;

/**
 * What a verified fix put in force, checked against the service on every
 * status run. Values are kept as hashes (a proxy URL holds a password) with
 * the words to show instead.
 */
export const Expectation = z.discriminatedUnion('kind', [
  /** A variable of the daemon's environment has this value (sha256 null: is not set at all). */
  z.object({ kind: z.literal('env'), name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), sha256: Sha256.nullable(), shown: z.string() }),
  /** A setting in openclaw.json has this value. */
  z.object({ kind: z.literal('config'), key: z.enum(['proxy.proxyUrl', 'gateway.bind']), sha256: Sha256, shown: z.string() }),
  /** No `--bind` in ProgramArguments (it beats the config, and blocks OpenClaw's update refresh). */
  z.object({ kind: z.literal('no-bind-argument') }),
  /** The gateway-only CA bundle still holds the certificates the fix added (SHA-256 fingerprints). */
  z.object({ kind: z.literal('ca-bundle'), path: z.string(), fingerprints: z.array(z.string()).min(1) }),
]);
export type Expectation = z.infer<typeof Expectation>;

/** The manifest of a rollback bundle: enough to put every file back byte for byte, and to put the fix back. */
export const BundleManifest = z.object({
  schema: z.literal('clawbar.fix-bundle/2'),
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
    mode: Mode.nullable(),
    uid: z.number().int().nullable(),
    gid: z.number().int().nullable(),
    sha256Before: Sha256.nullable(),
    sha256After: Sha256,
    modeAfter: Mode,
    /** Name of the saved original inside the bundle folder. */
    backup: z.string().regex(/^file-\d{1,3}\.orig$/).nullable(),
  })),
  undo: z.array(UndoStep),
  /** The request as the operator gave it: `fix reapply` plans it again (a CA from the copy kept here). */
  request: FixRequest,
  /** A proxy password taken out of `request`, sealed with the per-user key (request-seal.ts); null when there is none. */
  sealed: z.string().nullable(),
  expect: z.array(Expectation),
  /** The failure the fix mended: targets that passed again after it, and for bind the exposed port. */
  fixed: z.object({ targets: z.array(z.string()), exposure: z.boolean() }),
});
export type BundleManifest = z.infer<typeof BundleManifest>;

/** The copy of the CA file a `ca` fix keeps, so reapplying does not depend on the original path. */
export const REQUEST_CERT = 'request-cert.pem';

/**
 * Who may have written a bundle: only this account, with clawbar's per-user
 * key (kept 0600 by the store). A bundle folder someone planted under the
 * state folder is refused before anything in it is believed or run.
 */
export interface BundleTrust {
  key: Buffer;
  uid: number;
}

export const BUNDLE_ID = /^\d{8}-\d{6}-[a-z]+-[0-9a-f]{4}$/;

/** JSON with keys sorted at every level: the bytes the signature covers, whatever order a parser keeps. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function summarize(manifest: BundleManifest): FixBundleSummary {
  return {
    id: manifest.id, kind: manifest.kind, createdAt: manifest.createdAt, state: manifest.state, plistPath: manifest.plistPath,
    files: manifest.files.map((f) => ({ path: f.path, role: f.role, existed: f.existed })), summary: manifest.summary,
  };
}
