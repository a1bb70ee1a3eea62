import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proxyAuthorization } from '../../../main/probes/proxy.ts';
import { ProbeFailure } from '../../../main/probes/state.ts';
import { curlCommand } from '../../../main/report/curl-command.ts';

describe('proxy user info as undici reads it', () => {
  it('percent-decodes user name and password into Basic credentials', () => {
    assert.equal(proxyAuthorization(new URL('http://ops%40corp:p%25ss@127.0.0.1:3128')), `Basic ${Buffer.from('ops@corp:p%ss').toString('base64')}`);
    assert.equal(proxyAuthorization(new URL('http://127.0.0.1:3128')), null);
  });

  it('a broken escape is a proxy-layer failure in words (the daemon could not use that proxy), never a URIError', () => {
    for (const url of ['http://us%zzer:pw@127.0.0.1:3128', 'http://user:pa%zz@127.0.0.1:3128']) {
      assert.throws(() => proxyAuthorization(new URL(url)), (error: unknown) => error instanceof ProbeFailure && error.phase === 'proxy' && error.code === 'EPROXYURL' && !error.message.includes('pa%zz'));
    }
  });

  it('the firewall ticket still prints its curl command for such a proxy', () => {
    const line = curlCommand({ url: 'https://api.example.test/', sni: null, via: 'proxy', proxy: 'http://us%zzer:pw@127.0.0.1:3128', pin: null, caFile: null });
    assert.match(line, /--proxy-user "us%zzer:\$PROXY_PASSWORD"/);
  });
});
