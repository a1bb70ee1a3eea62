import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { throwawayCertificate, warmUp } from '../../../main/probes/warm-up.ts';

describe('probe child warm-up', () => {
  it('makes a self-signed certificate in memory that OpenSSL parses, valid for an hour either side of now', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const { cert, key } = throwawayCertificate(now);
    const x509 = new X509Certificate(cert);
    assert.equal(x509.subject, 'CN=clawbar warm-up');
    assert.equal(x509.issuer, 'CN=clawbar warm-up');
    assert.ok(x509.verify(x509.publicKey), 'signed by its own key');
    assert.ok(x509.checkPrivateKey(createPrivateKey(key)));
    assert.equal(new Date(x509.validFrom).toISOString(), '2026-03-01T11:00:00.000Z');
    assert.equal(new Date(x509.validTo).toISOString(), '2026-03-01T13:00:00.000Z');
  });

  it('walks the probe code against its own loopback servers and leaves nothing open', async () => {
    const before = new Set(process.getActiveResourcesInfo());
    await warmUp();
    // Closing sockets finish on the next turns of the loop.
    for (let i = 0; i < 20 && process.getActiveResourcesInfo().some((r) => /TCP/.test(r) && !before.has(r)); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(process.getActiveResourcesInfo().filter((r) => /TCP/.test(r)), [...before].filter((r) => /TCP/.test(r)));
  });
});
