import { X509Certificate } from 'node:crypto';
import { InputError } from '../system/errors.ts';

/** What the operator sees before trusting a certificate. */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  sha256: string;
  validFrom: string;
  validTo: string;
  isCa: boolean;
  selfSigned: boolean;
  pem: string;
}

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';
const MAX_CERTS = 1_000;

/**
 * The PEM certificate blocks of a text, each from a BEGIN line to the first
 * END after it, at most `limit` of them. A scan with indexOf instead of a lazy
 * `BEGIN[\s\S]*?END` pattern: that one searched to the end of the text again
 * for every BEGIN without an END, quadratic on a file of BEGIN lines.
 */
export function pemBlocks(text: string, limit: number): string[] {
  const blocks: string[] = [];
  let from = 0;
  while (blocks.length < limit) {
    const begin = text.indexOf(BEGIN, from);
    if (begin < 0) break;
    const end = text.indexOf(END, begin + BEGIN.length);
    // No END after this BEGIN means none after any later BEGIN either.
    if (end < 0) break;
    blocks.push(text.slice(begin, end + END.length));
    from = end + END.length;
  }
  return blocks;
}

const oneLine = (dn: string) => dn.split('\n').filter(Boolean).join(', ');

function describe(cert: X509Certificate): CertificateInfo {
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    sha256: cert.fingerprint256,
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: new Date(cert.validTo).toISOString(),
    isCa: cert.ca,
    selfSigned: cert.checkIssued(cert),
    pem: cert.toString().trim(),
  };
}

/**
 * Reads PEM (one certificate or a bundle) or DER. Anything else is an
 * InputError naming the file, since trusting the wrong bytes is the one thing
 * this fix must never do.
 */
export function parseCertificates(bytes: Buffer, path: string): CertificateInfo[] {
  const text = bytes.toString('latin1');
  const blocks = pemBlocks(text, MAX_CERTS + 1);
  if (blocks.length > 0) {
    if (blocks.length > MAX_CERTS) throw new InputError(`${path} holds more than ${MAX_CERTS} certificates`, path);
    return blocks.map((block, index) => {
      try { return describe(new X509Certificate(block)); } catch (error) {
        throw new InputError(`${path}: certificate ${index + 1} is not a valid X.509 certificate (${(error as Error).message})`, path);
      }
    });
  }
  if (text.includes('-----BEGIN')) throw new InputError(`${path} is PEM but holds no CERTIFICATE block (a key or a request?)`, path);
  try {
    return [describe(new X509Certificate(bytes))];
  } catch {
    throw new InputError(`${path} is not a certificate: expected PEM ("-----BEGIN CERTIFICATE-----"), DER or a PEM bundle`, path);
  }
}

/**
 * Why a certificate must not be added as a trust anchor, or null when it may:
 * a leaf (CA:FALSE) would not make the proxy's other certificates trusted, and
 * an expired or not-yet-valid CA fails verification anyway.
 */
export function refusalFor(cert: CertificateInfo, now = Date.now()): string | null {
  if (!cert.isCa) return `${cert.subject} is not a CA (basicConstraints CA:FALSE): it is a server certificate. Ask for the CA that issued it (${cert.issuer}).`;
  if (Date.parse(cert.validTo) < now) return `${cert.subject} expired on ${cert.validTo}.`;
  if (Date.parse(cert.validFrom) > now) return `${cert.subject} is not valid before ${cert.validFrom} (check the clock too).`;
  return null;
}

/** The certificates of an existing bundle, skipping (and counting) blocks that do not parse. */
export function bundleCertificates(text: string): { certs: CertificateInfo[]; skipped: number } {
  const certs: CertificateInfo[] = [];
  let skipped = 0;
  for (const block of pemBlocks(text, 10 * MAX_CERTS)) {
    try { certs.push(describe(new X509Certificate(block))); } catch { skipped++; }
  }
  return { certs, skipped };
}
