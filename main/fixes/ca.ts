import { InputError, UsageError } from '../system/errors.ts';
import { readBoundedFile } from '../system/files.ts';
import { bundleCertificates, parseCertificates, refusalFor, type CertificateInfo } from './certificates.ts';
import { caBundlePath } from './guards.ts';
import { REQUEST_CERT, sha256 } from './manifest.ts';
import { currentFile, environmentWrites } from './service-files.ts';
import type { FixCommand, FixContext, FixDraft } from './types.ts';

export const SYSTEM_KEYCHAIN = '/Library/Keychains/System.keychain';

export function describeCertificate(cert: CertificateInfo): string[] {
  return [
    `subject  ${cert.subject}`,
    `issuer   ${cert.issuer}${cert.selfSigned ? ' (self-signed root)' : ''}`,
    `sha256   ${cert.sha256}`,
    `valid    ${cert.validFrom} → ${cert.validTo}`,
    `CA       ${cert.isCa ? 'yes' : 'no'}`,
  ];
}

/** Reads and checks the certificate file: only valid CAs get through. */
export async function readCaFile(path: string): Promise<CertificateInfo[]> {
  const certs = parseCertificates(await readBoundedFile(path, 8 * 1024 * 1024), path);
  const refusals = certs.map((cert) => refusalFor(cert)).filter((r): r is string => r !== null);
  if (refusals.length > 0) throw new InputError(`${path}: ${refusals.join(' ')}`, path);
  return certs;
}

/**
 * `fix ca`: trust a TLS-inspecting proxy's CA. Gateway scope builds one
 * bundle (what NODE_EXTRA_CA_CERTS already pointed at, plus the new CA, since
 * the variable takes a single file) and points the service at it. System scope
 * adds the CA to the System keychain and sets NODE_USE_SYSTEM_CA=1 so Node
 * trusts the keychain.
 */
export async function draftCa(context: FixContext, certPath: string, scope: 'gateway' | 'system'): Promise<FixDraft> {
  if (scope !== 'gateway' && scope !== 'system') throw new UsageError('--scope must be gateway or system');
  const certs = await readCaFile(certPath);
  const env = context.service.env;
  const notes: string[] = [];
  const explanation = [
    ...certs.flatMap((cert, i) => [`Certificate ${i + 1} of ${certs.length}:`, ...describeCertificate(cert).map((l) => `  ${l}`)]),
    'Gateway scope: only this gateway trusts the CA, through NODE_EXTRA_CA_CERTS (one file, read once at start-up). Other apps and the Mac itself are not affected; removal is a rollback.',
    'Gateway scope lasts through `openclaw gateway restart`, `openclaw update` and `openclaw gateway install --force` (unless the shell running it exports its own NODE_EXTRA_CA_CERTS). `openclaw doctor --fix`\'s service rewrite, onboarding (`openclaw configure`) and uninstall + install reset it to /etc/ssl/cert.pem; the bundle file stays. clawbar notices (finding fix.reverted) and `clawbar fix reapply ID` puts it back.',
    'System scope: the whole Mac trusts the CA (System keychain, admin rights); Node trusts the keychain with NODE_USE_SYSTEM_CA=1. Remove it with `sudo security remove-trusted-cert -d <file>` (rollback does this).',
    'System scope is the durable choice where trusting the CA Mac-wide is acceptable: every OpenClaw install writes NODE_USE_SYSTEM_CA=1 on macOS, so no rewrite of the service undoes it.',
    `Chosen: ${scope} scope.`,
  ];
  const pem = `${certs.map((c) => c.pem).join('\n')}\n`;
  if (scope === 'system') {
    const commands: FixCommand[] = certs.map((cert, i) => ({
      command: 'security', args: ['add-trusted-cert', '-d', '-r', 'trustRoot', '-k', SYSTEM_KEYCHAIN, `{bundle}/ca-${i}.pem`], admin: true,
      why: `trust ${cert.subject} for the whole Mac`, undo: { kind: 'remove-trusted-cert', attachment: `ca-${i}.pem` },
    }));
    const edit = env.NODE_USE_SYSTEM_CA === '1' ? null : await environmentWrites(context.service, { set: { NODE_USE_SYSTEM_CA: '1' }, unset: [] }, { holdsSecret: false });
    if (!edit) notes.push('NODE_USE_SYSTEM_CA=1 is already set: only the keychain changes, and the gateway is restarted so it re-reads the trust store.');
    // The keychain cannot change for a pre-flight; the probe child trusts a CA in NODE_EXTRA_CA_CERTS the same way.
    const standIn = '/clawbar-preflight/keychain-stand-in.pem';
    return {
      kind: 'ca', title: `Trust ${certs[0]!.subject} system-wide (System keychain) and let the gateway use the keychain`, explanation,
      notes: [...notes, 'The pre-flight stands in for the keychain with NODE_EXTRA_CA_CERTS in the probe child.', 'On macOS 11 and later an administrator must approve in a dialog: run this from the Mac\'s screen (VNC), not over SSH.'],
      writes: edit?.writes ?? [], commands, attachments: [...certs.map((cert, i) => ({ name: `ca-${i}.pem`, content: Buffer.from(`${cert.pem}\n`) })), { name: REQUEST_CERT, content: Buffer.from(pem) }],
      restart: edit?.restart ?? 'kickstart',
      candidate: { env: { ...env, NODE_USE_SYSTEM_CA: '1', NODE_EXTRA_CA_CERTS: standIn }, managedProxy: context.service.managedProxy },
      preflightFiles: [{ path: standIn, content: Buffer.from((await withExisting(env.NODE_EXTRA_CA_CERTS, certs, [])).text) }],
      noPreflightBecause: null, secrets: [], extraCheck: null,
      expect: [{ kind: 'env', name: 'NODE_USE_SYSTEM_CA', sha256: sha256('1'), shown: '1' }],
    };
  }
  const target = caBundlePath(context.service, context.files.caDir);
  const bundle = await withExisting(env.NODE_EXTRA_CA_CERTS, certs, notes);
  const content = Buffer.from(bundle.text);
  const current = await currentFile(target);
  // The preview lists certificates, not base64: the ones kept as one line, the new ones by name and fingerprint.
  const line = (c: CertificateInfo) => `${c.subject}  sha256 ${c.sha256}\n`;
  const display = current.before
    ? { before: bundleCertificates(current.before.toString('latin1')).certs.map(line).join(''), after: bundleCertificates(bundle.text).certs.map(line).join('') }
    : { before: '', after: `${bundle.kept ? `(${bundle.kept} certificate(s) kept from ${env.NODE_EXTRA_CA_CERTS})\n` : ''}${bundle.added.map(line).join('')}` };
  const edit = env.NODE_EXTRA_CA_CERTS === target ? { writes: [], restart: 'kickstart' as const } : await environmentWrites(context.service, { set: { NODE_EXTRA_CA_CERTS: target }, unset: [] }, { holdsSecret: false });
  return {
    kind: 'ca', title: `Trust ${certs[0]!.subject} for this gateway only (NODE_EXTRA_CA_CERTS=${target})`, explanation, notes,
    writes: [{ path: target, role: 'ca-bundle', content, mode: 0o644, ...current, display }, ...edit.writes],
    commands: [], attachments: [{ name: REQUEST_CERT, content: Buffer.from(pem) }], restart: edit.restart,
    candidate: { env: { ...env, NODE_EXTRA_CA_CERTS: target }, managedProxy: context.service.managedProxy },
    preflightFiles: [], noPreflightBecause: null, secrets: [], extraCheck: null,
    expect: [
      { kind: 'env', name: 'NODE_EXTRA_CA_CERTS', sha256: sha256(target), shown: target },
      { kind: 'ca-bundle', path: target, fingerprints: certs.map((c) => c.sha256) },
    ],
  };
}

/**
 * The new bundle's text: the CAs the daemon already trusts through
 * NODE_EXTRA_CA_CERTS (e.g. /etc/ssl/cert.pem) followed by the new ones, each
 * once. An unreadable old bundle is reported, not silently dropped.
 */
async function withExisting(existingPath: string | undefined, certs: CertificateInfo[], notes: string[]): Promise<{ text: string; kept: number; added: CertificateInfo[] }> {
  let existing: CertificateInfo[] = [];
  if (existingPath) {
    try {
      const parsed = bundleCertificates((await readBoundedFile(existingPath, 16 * 1024 * 1024)).toString('latin1'));
      existing = parsed.certs;
      notes.push(`Keeps the ${existing.length} certificate(s) of the current NODE_EXTRA_CA_CERTS (${existingPath})${parsed.skipped ? `; ${parsed.skipped} unreadable block(s) dropped` : ''}.`);
    } catch (error) {
      notes.push(`The current NODE_EXTRA_CA_CERTS (${existingPath}) cannot be read (${(error as Error).message}); the new bundle holds only the new CA.`);
    }
  }
  const seen = new Set(existing.map((c) => c.sha256));
  const added = certs.filter((c) => !seen.has(c.sha256));
  if (added.length < certs.length) notes.push(`${certs.length - added.length} of the given certificate(s) were already in the bundle.`);
  return { text: `${[...existing, ...added].map((c) => c.pem).join('\n')}\n`, kept: existing.length, added };
}
