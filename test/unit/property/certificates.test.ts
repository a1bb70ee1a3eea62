import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { bundleCertificates, parseCertificates, pemBlocks } from '../../../main/fixes/certificates.ts';
import { InputError } from '../../../main/system/errors.ts';
import { makePki } from '../../peers/pki.ts';
import { assertFast, mutated, onlyThrows, repeated, runs, soup } from './support.ts';

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';
const PIECES = [BEGIN, END, '\n', 'MIIB', '====', '-----BEGIN PRIVATE KEY-----', '-----', 'x', ' ', '\r\n'];

describe('certificate files (properties)', () => {
  let dir: string;
  let ca: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'clawbar-certs-')); ca = (await makePki(dir)).caCert; });
  after(() => rm(dir, { recursive: true, force: true }));

  it('splits PEM exactly as a BEGIN…END (first END after each BEGIN) expression would', () => {
    fc.assert(fc.property(soup(PIECES, 30), (text) => {
      assert.deepEqual(pemBlocks(text, Infinity), text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []);
    }), runs(500));
  });

  it('gives certificates or a one-line InputError, for garbage, mutated PEM and mutated DER', () => {
    const der = () => Buffer.from(ca.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
    fc.assert(fc.property(fc.oneof(
      soup(PIECES, 30).map((t) => Buffer.from(t)),
      mutated(`${ca}\n${ca}`, PIECES).map((t) => Buffer.from(t)),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }).map((edits) => { const b = der(); for (const [at, v] of edits) b[at % b.length] = v; return b; }),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    ), (bytes) => {
      onlyThrows(() => { for (const cert of parseCertificates(bytes, 'ca.pem')) assert.match(cert.sha256, /^[0-9A-F:]+$/); }, InputError);
      const { certs, skipped } = bundleCertificates(bytes.toString('latin1'));
      assert.ok(certs.length + skipped === pemBlocks(bytes.toString('latin1'), Infinity).length);
    }), runs(200));
  });

  it('handles each 64 KB input in bounded time', () => {
    fc.assert(fc.property(repeated([`${BEGIN}\n`, 'x\n', `${END}\n`, '-----', '\n']), (text) => {
      assertFast(() => bundleCertificates(text), 'PEM bundle');
    }), runs(8));
  });
});
