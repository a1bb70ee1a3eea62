import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRoute } from '../../../main/probes/route.ts';

const route = (url: string, env: Record<string, string>, managed: Parameters<typeof decideRoute>[2] = null) => decideRoute(new URL(url), env, managed);

describe('proxy route decision (undici EnvHttpProxyAgent rules, OpenClaw managed proxy)', () => {
  it('lowercase variables win, and https falls back to the http proxy', () => {
    assert.equal(route('https://api.example.com/', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }).proxy, 'http://lower:1');
    assert.equal(route('https://api.example.com/', { HTTP_PROXY: 'http://only-http:3' }).proxy, 'http://only-http:3');
    assert.equal(route('http://api.example.com/', { HTTPS_PROXY: 'http://s:4' }).via, 'direct');
  });

  it('NO_PROXY matches exact hosts, subdomains, ports and *, and says which entry matched', () => {
    const env = { HTTPS_PROXY: 'http://p:3128', NO_PROXY: 'localhost,127.0.0.1,.internal.example,api.example.com:8443' };
    assert.equal(route('https://127.0.0.1/', env).via, 'direct');
    assert.match(route('https://svc.internal.example/', env).rule, /'\.internal\.example'/);
    assert.equal(route('https://api.example.com:8443/', env).via, 'direct');
    assert.equal(route('https://api.example.com/', env).via, 'proxy');
    assert.equal(route('https://anything/', { HTTPS_PROXY: 'http://p:1', no_proxy: '*' }).via, 'direct');
    assert.equal(route('https://x/', { HTTPS_PROXY: 'http://p:1', no_proxy: '', NO_PROXY: '*' }).via, 'proxy', 'an empty lowercase no_proxy wins over NO_PROXY');
    // undici has no CIDR support: 10.0.0.0/8 does not cover 10.1.2.3
    assert.equal(route('https://10.1.2.3/', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.0.0.0/8' }).via, 'proxy');
    assert.equal(route('https://[::1]:9/', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '[::1]' }).via, 'direct');
  });

  it("OpenClaw's managed proxy ignores env bypasses and keeps loopback direct in gateway-only mode", () => {
    const managed = { url: 'http://corp:3128', loopbackMode: 'gateway-only' as const };
    assert.equal(route('https://api.example.com/', { NO_PROXY: 'api.example.com' }, managed).via, 'proxy');
    assert.equal(route('ws://127.0.0.1:18789/', {}, managed).via, 'direct');
    assert.equal(route('http://localhost:18789/', {}, { ...managed, loopbackMode: 'proxy' }).via, 'proxy');
    assert.equal(route('http://[::1]:18789/', {}, { ...managed, loopbackMode: 'block' }).via, 'blocked');
  });
});
