import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diffBaseline, toBaseline } from '../../../main/glance/baseline.ts';
import { assessListener, classifyAddress } from '../../../main/glance/exposure.ts';
import { parseFirewallState } from '../../../main/glance/listeners.ts';
import { MAX_LISTENERS, parseLsofColumns, parseLsofFields, splitName } from '../../../main/glance/lsof.ts';
import { FIXTURES } from '../../helpers/world.ts';

const fixture = (name: string) => readFile(join(FIXTURES, 'macos', name), 'utf8');
const context = { gatewayPort: 18789, authMode: 'none', exceptions: [] };

describe('lsof parsing (recorded macOS output)', () => {
  it('reads the macOS 26 column output: truncated names, *:PORT on IPv6, [::1]', async () => {
    const items = parseLsofColumns(await fixture('lsof-listen-macos26-1.txt'));
    assert.ok(items.length >= 10);
    assert.deepEqual(items[0], { command: 'ControlCe', pid: 900, user: 'nirajdesai', family: 4, address: '*', port: 7000 });
    assert.ok(items.some((l) => l.command === 'postgres' && l.address === '::1' && l.port === 5432 && l.family === 6));
    assert.ok(items.some((l) => l.command === 'com.docke' && l.address === '*' && l.family === 6));
  });

  it('decodes \\x20 escapes and keeps only LISTEN sockets in field output', async () => {
    const escaped = parseLsofColumns(await fixture('lsof-grep-listen-escaped-name-1.txt'));
    assert.equal(escaped[0]?.command, 'Code H');
    const fields = parseLsofFields(await fixture('lsof-fields-pcnt-1.txt'));
    assert.deepEqual(fields.map((l) => [l.command, l.address, l.port]), [['xctest', '*', 5252]]);
  });

  it('splits names and refuses nonsense', () => {
    assert.deepEqual(splitName('[fe80::1%en0]:22'), { address: 'fe80::1%en0', port: 22 });
    assert.equal(splitName('*:99999'), null);
    assert.equal(splitName('garbage'), null);
  });

  it('stays bounded on hostile input: a million lines of garbage and of listeners', () => {
    const garbage = 'x'.repeat(80).concat('\n').repeat(1_000_000);
    assert.deepEqual(parseLsofFields(garbage), []);
    const flood = 'p1\ncnc\nf3\ntIPv4\nn*:8080\nTST=LISTEN\n'.repeat(200_000);
    assert.ok(parseLsofFields(flood).length <= MAX_LISTENERS);
    assert.ok(parseLsofColumns('nc 1 u 3u IPv4 0x1 0t0 TCP *:80 (LISTEN)\n'.repeat(1_000_000)).length <= MAX_LISTENERS);
  });
});

describe('listener exposure', () => {
  it('classifies loopback, specific (lan, tailnet, link-local, public) and wildcard', () => {
    assert.equal(classifyAddress('127.0.0.1').exposure, 'loopback');
    assert.equal(classifyAddress('127.3.4.5').exposure, 'loopback');
    assert.equal(classifyAddress('::1').exposure, 'loopback');
    for (const w of ['*', '0.0.0.0', '::']) assert.equal(classifyAddress(w).exposure, 'wildcard');
    assert.deepEqual(classifyAddress('192.168.1.20'), { exposure: 'specific', network: 'lan' });
    assert.deepEqual(classifyAddress('100.101.102.103'), { exposure: 'specific', network: 'tailnet (100.64/10)' });
    assert.deepEqual(classifyAddress('fe80::1%en0'), { exposure: 'specific', network: 'link-local' });
    assert.deepEqual(classifyAddress('203.0.113.9'), { exposure: 'specific', network: 'public' });
  });

  it("the gateway's port beyond loopback is critical; a documented exception with auth is a warning; AirPlay is named", () => {
    const gw = (address: string, extra = {}) => assessListener({ command: 'openclaw-', pid: 1, user: 'u', family: 4, address, port: 18789 }, { ...context, ...extra });
    assert.equal(gw('127.0.0.1').severity, 'ok');
    assert.equal(gw('*').severity, 'critical');
    assert.match(gw('*').note ?? '', /no authentication/);
    assert.equal(gw('100.64.0.7', { authMode: 'token', exceptions: [18789] }).severity, 'warn');
    assert.equal(gw('100.64.0.7', { authMode: 'none', exceptions: [18789] }).severity, 'critical');
    const airplay = assessListener({ command: 'ControlCe', pid: 9, user: 'u', family: 4, address: '*', port: 7000 }, context);
    assert.equal(airplay.severity, 'ok');
    assert.match(airplay.note ?? '', /AirPlay/);
    assert.equal(assessListener({ command: 'python3', pid: 9, user: 'u', family: 4, address: '*', port: 8080 }, context).severity, 'warn');
  });

  it('diffs against a baseline: new, gone and rebound, with age', () => {
    const l = (process: string, port: number, address: string) => assessListener({ command: process, pid: 1, user: 'u', family: 4, address, port }, context);
    const baseline = toBaseline([l('nginx', 443, '127.0.0.1'), l('redis', 6379, '127.0.0.1')], new Date('2026-11-20T00:00:00Z'));
    const now = Date.parse('2026-11-21T02:00:00Z');
    const changes = diffBaseline(baseline, [l('nginx', 443, '0.0.0.0'), l('python3', 8080, '*')], { 'python3|8080|4': '2026-11-20T00:00:00Z' }, now);
    assert.deepEqual(changes.map((c) => [c.change, c.process, c.address, c.previousAddress, c.ageHours]), [
      ['rebound', 'nginx', '0.0.0.0', '127.0.0.1', null],
      ['new', 'python3', '*', null, 26],
      ['gone', 'redis', '127.0.0.1', null, null],
    ]);
  });

  it('reads the application firewall state', async () => {
    assert.equal(parseFirewallState(await fixture('socketfilterfw-getglobalstate-enabled-1.txt')), 'enabled');
    assert.equal(parseFirewallState('Firewall is disabled. (State = 0)'), 'disabled');
  });
});
