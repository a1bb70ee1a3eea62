import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { classifyRecord, type LogContext } from '../../../main/glance/gateway-log.ts';
import { FIXTURES } from '../../helpers/world.ts';

/** Records the real gateway (2026.9.6) wrote behind a proxy that demands credentials, paths and host name changed. */
const real = readFileSync(join(FIXTURES, 'openclaw-logs', 'gateway-2026.9.6.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const proxied: LogContext = { providerHost: (id) => (id === 'litellm' ? 'llm.example.com' : null), viaProxy: (host) => !/^127\.|^localhost$/.test(host) };
const direct: LogContext = { ...proxied, viaProxy: () => false };

/** A record in OpenClaw's shape: subsystem in "0", the message in "1", level in _meta. */
const record = (subsystem: string, message: string, level = 'ERROR', extra: Record<string, unknown> = {}) => ({
  0: JSON.stringify({ subsystem }), 1: message, _meta: { logLevelName: level }, time: '2026-12-02T04:45:45.023+00:00', message, ...extra,
});

describe('classifyRecord: real records of OpenClaw 2026.9.6', () => {
  const by = (text: string) => real.find((r) => String(r.message).startsWith(text))!;
  it("a provider call the proxy refused (no status in OpenClaw's record) counts once, as the proxy's layer, for the provider's host", () => {
    assert.deepEqual(classifyRecord(by('[model-fetch] error'), proxied), { layer: 'proxy', host: 'llm.example.com' });
    for (const echo of ['embedded run agent end', 'transient same-model retry', 'lane task error', 'chat completion failed']) {
      assert.equal(classifyRecord(by(echo), proxied), null, `${echo} repeats the transport's record`);
    }
  });
  it("the catalog refresh and a channel's request through the proxy name their hosts", () => {
    assert.deepEqual(classifyRecord(by('remote model catalog refresh failed'), proxied), { layer: 'proxy', host: 'catalog.openclaw.ai' });
    assert.deepEqual(classifyRecord(by('telegram deleteWebhook failed'), proxied), { layer: 'proxy', host: 'api.telegram.org' });
  });
  it('a generic failure without a proxy on the way says too little to count; INFO records never count', () => {
    assert.equal(classifyRecord(by('telegram deleteWebhook failed'), direct), null);
    assert.equal(classifyRecord(by('gateway ready'), proxied), null);
    assert.equal(classifyRecord(by('routing process HTTP traffic'), proxied), null);
  });
});

describe('classifyRecord: each probe layer', () => {
  const cases: Array<[string, ReturnType<typeof record>, { layer: string; host: string } | null]> = [
    ['407 status', record('provider-transport-fetch', '[model-fetch] response provider=litellm api=openai-completions model=m1 status=407 elapsedMs=12 dispatcher=new contentType=text/html', 'INFO'), { layer: 'proxy-auth', host: 'llm.example.com' }],
    ['Proxy Authentication Required', record('plugins', 'feed fetch failed: Proxy CONNECT failed via http://127.0.0.1:3128: HTTP/1.0 407 Proxy Authentication Required (https://clawhub.ai/v1/feeds)', 'WARN'), { layer: 'proxy-auth', host: 'clawhub.ai' }],
    ['429', record('provider-transport-fetch', '[model-fetch] response provider=litellm api=x model=m status=429 elapsedMs=3', 'INFO'), { layer: 'rate-limit', host: 'llm.example.com' }],
    ['503', record('provider-transport-fetch', '[model-fetch] response provider=litellm api=x model=m status=503 elapsedMs=3', 'INFO'), { layer: 'rate-limit', host: 'llm.example.com' }],
    ['502 via proxy', record('provider-transport-fetch', '[model-fetch] response provider=litellm api=x model=m status=502 elapsedMs=3', 'INFO'), { layer: 'proxy', host: 'llm.example.com' }],
    ['a slow 200 is not an error', record('provider-transport-fetch', '[model-fetch] response provider=litellm api=x model=m status=200 elapsedMs=407', 'INFO'), null],
    ['ENOTFOUND', record('gateway', 'fetch failed: getaddrinfo ENOTFOUND api.openai.com'), { layer: 'dns', host: 'api.openai.com' }],
    ['ECONNREFUSED', record('gateway', 'connect ECONNREFUSED 10.1.2.3:443'), { layer: 'refused', host: '10.1.2.3' }],
    ['timeout', record('gateway', 'request to https://api.anthropic.com/v1 failed: Connect Timeout Error (UND_ERR_CONNECT_TIMEOUT)'), { layer: 'timeout', host: 'api.anthropic.com' }],
    ['untrusted', record('gateway', 'fetch https://api.openai.com/v1 failed: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)'), { layer: 'tls-trust', host: 'api.openai.com' }],
    ['name', record('gateway', "Hostname/IP does not match certificate's altnames: Host: api.openai.com. is not in the cert's altnames (ERR_TLS_CERT_ALTNAME_INVALID)"), { layer: 'tls-name', host: 'unknown' }],
    ['expired', record('gateway', 'https://api.openai.com/ certificate has expired (CERT_HAS_EXPIRED)'), { layer: 'tls-clock', host: 'api.openai.com' }],
    ['an echo with a code still is an echo', record('agent/embedded', 'getaddrinfo ENOTFOUND api.openai.com'), null],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.deepEqual(classifyRecord(input, proxied), expected));
  }
  it('a host name is kept only when it looks like one', () => {
    const found = classifyRecord(record('gateway', 'getaddrinfo ENOTFOUND <script>x'), proxied);
    assert.equal(found?.host, 'unknown');
  });
});
