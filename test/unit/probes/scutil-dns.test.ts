import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { nameserversFor, parseScutilDns, resolversForRun } from '../../../main/probes/scutil-dns.ts';
import type { ExecResult, Executor } from '../../../main/system/exec.ts';
import { FIXTURES } from '../../helpers/world.ts';

const fixture = (name: string) => readFile(join(FIXTURES, 'macos', name), 'utf8');

describe('scutil --dns parsing (recorded macOS output)', () => {
  it('reads a VPN supplemental resolver and the Wi-Fi resolver', async () => {
    const resolvers = parseScutilDns(await fixture('scutil-dns-vpn-supplemental-1.txt'));
    assert.deepEqual(resolvers[0]?.nameservers, ['100.100.111.1', 'fd00:2021:1111:8000:100:100:111:0']);
    assert.deepEqual(resolvers[0]?.searchDomains, ['attlocal.net']);
    assert.equal(resolvers[0]?.interface, 'utun8');
    assert.equal(resolvers[2]?.domain, 'local');
    assert.equal(resolvers[2]?.mdns, true);
  });

  it('routes a name to general resolvers plus the supplemental ones whose domain matches, never mDNS', async () => {
    const resolvers = parseScutilDns(await fixture('scutil-dns-vpn-supplemental-1.txt'));
    const servers = nameserversFor('api.example.com', resolvers);
    assert.ok(servers.includes('192.168.1.254'));
    assert.ok(!nameserversFor('printer.local', resolvers).some((s) => s === undefined));
  });

  it('handles the old layouts and link-local servers, ignoring the scoped section', async () => {
    const old = parseScutilDns(await fixture('scutil-dns-old-format-2017-1.txt'));
    assert.ok(old.length >= 1);
    assert.equal(old[0]?.nameservers[0], '192.168.1.1');
    assert.ok(old.every((r) => r.nameservers.every((n) => n.length > 0)));
    const linkLocal = parseScutilDns(await fixture('scutil-dns-ipv6-link-local-1.txt'));
    assert.deepEqual(linkLocal[0]?.nameservers, ['fe80::8e3b:adff:fead:7bf6%en0', '192.168.1.1']);
    assert.deepEqual(parseScutilDns(await fixture('scutil-dns-scoped-old-format-2018-1.txt')), []);
    assert.deepEqual(parseScutilDns('\u0000 garbage'), []);
  });
});

describe('the resolver list a probe run uses', () => {
  it('is read by the first run, then used while the next reading runs; a fresh reading is taken on request', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    let reads = 0;
    // Reading n answers nameserver 10.0.0.n.
    const exec: Executor = async (command, args) => ({ command, args, available: true, code: 0, signal: null, stdout: `DNS configuration\n\nresolver #1\n  nameserver[0] : 10.0.0.${++reads}\n`, stderr: '', timedOut: false, truncated: false, durationMs: 1 } satisfies ExecResult);
    const servers = async (fresh = false) => (await resolversForRun(exec, fresh)).flatMap((r) => r.nameservers);
    assert.deepEqual(await servers(), ['10.0.0.1']);
    assert.deepEqual(await servers(), ['10.0.0.1'], 'within 30 s: the same reading, scutil not run again');
    assert.equal(reads, 1);
    t.mock.timers.tick(60_000);
    assert.deepEqual(await servers(), ['10.0.0.1'], 'a minute on: the last reading is used once more…');
    assert.equal(reads, 2, '…while the next one is taken');
    assert.deepEqual(await servers(), ['10.0.0.2'], 'the next run gets the new list');
    assert.deepEqual(await servers(true), ['10.0.0.3'], 'a fresh reading on request');
    t.mock.timers.tick(11 * 60_000);
    assert.deepEqual(await servers(), ['10.0.0.4'], 'older than ten minutes: read before the run');
  });
});
