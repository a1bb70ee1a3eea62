import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { FixRequest } from '../contract.ts';
import { FixRefused } from './types.ts';

/** A key for sealing only, derived from the per-user key, so the signing key never encrypts anything. */
const sealKey = (key: Buffer) => createHmac('sha256', key).update('clawbar fix request seal').digest();

/**
 * The request as the manifest keeps it: a proxy URL without its password,
 * and the password sealed (AES-256-GCM) with the per-user key, so the
 * bundle folder holds no credential in the clear while `fix reapply` can
 * still plan the same request again.
 */
export function sealRequest(request: FixRequest, key: Buffer): { request: FixRequest; sealed: string | null } {
  if (request.kind !== 'proxy') return { request, sealed: null };
  const url = new URL(request.url);
  if (!url.password) return { request, sealed: null };
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(key), iv);
  const body = Buffer.concat([cipher.update(url.password, 'utf8'), cipher.final()]);
  url.password = '';
  return { request: { ...request, url: url.href.replace(/\/$/, '') }, sealed: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64') };
}

/** The request as the operator gave it, the password unsealed back into the proxy URL. */
export function openRequest(request: FixRequest, sealed: string | null, key: Buffer): FixRequest {
  if (sealed === null || request.kind !== 'proxy') return request;
  const bytes = Buffer.from(sealed, 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealKey(key), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    const url = new URL(request.url);
    url.password = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    return { ...request, url: url.href.replace(/\/$/, '') };
  } catch {
    throw new FixRefused('the proxy password kept with this fix cannot be unsealed with this account\'s key; run `clawbar fix proxy --url …` again');
  }
}
