import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { locateConfig, profileDefaultPort, readGatewayConfig } from '../../../main/service/openclaw-config.ts';
import { formatEnvFile } from '../../../main/service/env-file-format.ts';

describe('openclaw config location and defaults', () => {
  it("derives a profile's default port as OpenClaw does (values computed by OpenClaw's own code)", () => {
    assert.equal(profileDefaultPort('work'), 41984);
    assert.equal(profileDefaultPort('staging'), 28422);
    assert.equal(profileDefaultPort('Work'), 28704);
    assert.equal(profileDefaultPort('a'), 22220);
    assert.equal(profileDefaultPort('dev'), 38556);
  });

  it('follows OPENCLAW_CONFIG_PATH > OPENCLAW_STATE_DIR > OPENCLAW_HOME > HOME, with ~ expanded', () => {
    assert.equal(locateConfig({ HOME: '/Users/a' }, '/x', null).path, '/Users/a/.openclaw/openclaw.json');
    assert.equal(locateConfig({ HOME: '/Users/a', OPENCLAW_HOME: '~/svc' }, '/x', null).path, '/Users/a/svc/.openclaw/openclaw.json');
    assert.equal(locateConfig({ HOME: '/Users/a', OPENCLAW_STATE_DIR: '~/state' }, '/x', null).path, '/Users/a/state/openclaw.json');
    assert.equal(locateConfig({ HOME: '/Users/a', OPENCLAW_STATE_DIR: '/s', OPENCLAW_CONFIG_PATH: '/c/oc.json' }, '/x', null).path, '/c/oc.json');
    assert.equal(locateConfig({ HOME: '/Users/a', OPENCLAW_CONFIG_PATH: ' null ' }, '/x', null).path, '/Users/a/.openclaw/openclaw.json');
    // OPENCLAW_PROFILE alone does not move the state dir (OpenClaw's CLI keeps ~/.openclaw).
    const profiled = locateConfig({ HOME: '/Users/a', OPENCLAW_PROFILE: 'work' }, '/x', 'ai.openclaw.work');
    assert.equal(profiled.path, '/Users/a/.openclaw/openclaw.json');
    assert.equal(profiled.profile, 'work');
  });

  it('reads gateway settings, keeps secrets apart, and reports a bad port', () => {
    const config = readGatewayConfig({ gateway: { port: 'x', bind: 'lan', auth: { mode: 'token', token: 'abc123456' }, trustedProxies: ['10.0.0.1'] }, proxy: { proxyUrl: 'http://p:3128', loopbackMode: 'block' }, models: { providers: { anthropic: { baseUrl: 'https://api.anthropic.com' } } } });
    assert.equal(config.port, null);
    assert.match(config.error ?? '', /not a valid port/);
    assert.equal(config.bind, 'lan');
    assert.deepEqual(config.secrets, ['abc123456']);
    assert.equal(config.proxyLoopbackMode, 'block');
    assert.deepEqual(config.providerBaseUrls, [{ id: 'anthropic', url: 'https://api.anthropic.com' }]);
    assert.equal(readGatewayConfig({ proxy: { proxyUrl: 'http://p:3128', enabled: false } }).proxyUrl, null);
  });

  it("sorts env file lines with localeCompare like OpenClaw's installer", () => {
    const lines = formatEnvFile({ b: '1', AB: '2', A_B: '3', a: '4' }).split('\n').slice(1, -1);
    assert.deepEqual(lines.map((line) => line.split('=')[0]), ['export a', 'export A_B', 'export AB', 'export b']);
  });
});
