import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import JSON5 from 'json5';
import { setJson5Value } from '../../../main/fixes/json5-edit.ts';
import { editEnvFileText } from '../../../main/fixes/service-files.ts';
import { restartSteps, commandLine } from '../../../main/fixes/restart.ts';
import { mergeNoProxy, parseProxyUrl } from '../../../main/fixes/proxy.ts';
import { bindArgument } from '../../../main/fixes/bind.ts';
import { evaluateEnvFile, OPENCLAW_ENV_HEADER } from '../../../main/service/env-file.ts';
import { formatEnvFile } from '../../../main/service/env-file-format.ts';
import { argumentSecrets } from '../../../main/system/redact.ts';

describe('JSON5 edits keep comments and layout', () => {
  const text = `// node config\n{\n  // who may connect\n  gateway: { port: 28790, bind: 'lan', auth: { mode: 'token', token: 'abc' }, },\n  models: { catalogRefresh: { enabled: false } }, // trailing\n}\n`;
  it('replaces only the value', () => {
    const next = setJson5Value(text, ['gateway', 'bind'], 'loopback');
    assert.equal(next, text.replace("bind: 'lan'", 'bind: "loopback"'));
  });
  it('appends a missing member after the last one, in the file\'s style', () => {
    const next = setJson5Value(text, ['proxy', 'proxyUrl'], 'http://127.0.0.1:3128');
    assert.match(next, /\/\/ who may connect\n {2}gateway:/);
    assert.deepEqual(JSON5.parse(next).proxy, { proxyUrl: 'http://127.0.0.1:3128' });
    const strict = setJson5Value('{\n  "gateway": {\n    "port": 1\n  }\n}\n', ['gateway', 'bind'], 'loopback');
    assert.equal(strict, '{\n  "gateway": {\n    "port": 1,\n    "bind": "loopback"\n  }\n}\n');
    assert.equal(setJson5Value('{}', ['gateway', 'bind'], 'loopback'), '{ gateway: { bind: "loopback" } }');
  });
  it('refuses what it cannot edit safely', () => {
    assert.throws(() => setJson5Value('{ gateway: 5 }', ['gateway', 'bind'], 'x'), /not an object/);
    assert.throws(() => setJson5Value('[1]', ['a'], 1), /not a JSON5 object/);
    assert.throws(() => setJson5Value('{ a: "unclosed }', ['a'], 1), /unclosed string/);
  });
});

describe('env file edits', () => {
  const canonical = formatEnvFile({ HOME: '/Users/op', PATH: '/usr/bin:/bin', TOKEN: "it's" });
  it("regenerates OpenClaw's format: header, sorted export lines, '\\'' quoting", () => {
    const next = editEnvFileText(canonical, { set: { NODE_EXTRA_CA_CERTS: "/x/o'b.pem" }, unset: ['PATH'] });
    assert.equal(next, `${OPENCLAW_ENV_HEADER}\nexport HOME='/Users/op'\nexport NODE_EXTRA_CA_CERTS='/x/o'\\''b.pem'\nexport TOKEN='it'\\''s'\n`);
  });
  it('edits a hand-written file line by line and proves the result with the sh evaluator', () => {
    const hand = `${OPENCLAW_ENV_HEADER}\n# mine\nexport HOME="/Users/op"\nPATH=/bin; export PATH\n`;
    const next = editEnvFileText(hand, { set: { HOME: '/Users/other', NEW: 'v' }, unset: [] });
    assert.match(next, /# mine\nexport HOME='\/Users\/other'\n/);
    assert.equal(evaluateEnvFile(next, {}).environment.NEW, 'v');
  });
  it('refuses a header the wrapper rejects', () => {
    assert.throws(() => editEnvFileText(canonical.replace('# Generated', '#Generated'), { set: { A: 'b' }, unset: [] }), /exits 78/);
  });
});

describe('restart commands', () => {
  const svc = { target: 'gui/501/ai.openclaw.gateway', plistPath: '/Users/op/Library/LaunchAgents/ai.openclaw.gateway.plist', loaded: true };
  const lines = (kind: 'kickstart' | 'reload', s = svc) => restartSteps(kind, s).map(commandLine);
  it('env file only → enable + kickstart -k; plist → enable + bootout + bootstrap', () => {
    assert.deepEqual(lines('kickstart'), ['launchctl enable gui/501/ai.openclaw.gateway', 'launchctl kickstart -k gui/501/ai.openclaw.gateway']);
    assert.deepEqual(lines('reload'), ['launchctl enable gui/501/ai.openclaw.gateway', 'launchctl bootout gui/501/ai.openclaw.gateway', `launchctl bootstrap gui/501 ${svc.plistPath}`]);
  });
  it('a job that is not loaded is bootstrapped; the system domain needs an admin', () => {
    assert.deepEqual(lines('kickstart', { ...svc, loaded: false }).at(-1), `launchctl bootstrap gui/501 ${svc.plistPath}`);
    assert.ok(lines('reload', { ...svc, target: 'system/ai.openclaw.gateway' }).every((l) => l.startsWith('sudo launchctl ')));
  });
});

describe('proxy and bind inputs', () => {
  it('parses proxy URLs and merges NO_PROXY', () => {
    assert.equal(parseProxyUrl('http://u:p%40ss@proxy.corp:3128').password, 'p%40ss');
    assert.throws(() => parseProxyUrl('socks5://proxy:1080'), /scheme socks5: is not supported/);
    assert.equal(mergeNoProxy('.corp,localhost', ['100.64.0.7']), '.corp,localhost,127.0.0.1,::1,100.64.0.7');
  });
  it('finds --bind in a command line, spaced or joined', () => {
    assert.deepEqual(bindArgument(['node', 'x', 'gateway', '--bind', 'lan']), { index: 4, value: 'lan', joined: false });
    assert.deepEqual(bindArgument(['--bind=tailnet']), { index: 0, value: 'tailnet', joined: true });
    assert.equal(bindArgument(['gateway', '--port', '1']), null);
  });
  it('takes secrets from flags but not the auth mode', () => {
    assert.deepEqual(argumentSecrets(['--auth', 'token', '--token', 'abc123', '--password=pw9999', '--port', '1']), ['abc123', 'pw9999']);
  });
});
