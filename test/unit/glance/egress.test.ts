import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attribute, emptyObservations, mergeSample, outboundSockets, parseProcessTable, parseSockets, processTree, type NameBook } from '../../../main/glance/egress.ts';
import { compareWithAllowlist } from '../../../main/report/allowlist-observed.ts';

/** `lsof -nP -a -p 4100,4133 -iTCP -F pcnT` as lsof prints it: the gateway's listeners, an accepted client, and its outbound sockets. */
const LSOF = [
  'p4100', 'copenclaw-gatewa',
  'f22', 'n127.0.0.1:18789', 'TST=LISTEN', 'TQR=0', 'TQS=0',
  'f23', 'n[::1]:18789', 'TST=LISTEN',
  'f24', 'n127.0.0.1:18791', 'TST=LISTEN',
  'f30', 'n127.0.0.1:18789->127.0.0.1:52110', 'TST=ESTABLISHED',
  'f31', 'n127.0.0.1:52120->127.0.0.1:18791', 'TST=ESTABLISHED',
  'f32', 'n10.0.0.5:50001->104.18.6.192:443', 'TST=ESTABLISHED',
  'f33', 'n127.0.0.1:50002->127.0.0.1:3128', 'TST=ESTABLISHED',
  'f34', 'n10.0.0.5:50003->17.253.1.1:443', 'TST=CLOSE_WAIT',
  'p4133', 'cnode',
  'f5', 'n[2001:db8::5]:50010->[2606:4700::6812:6c0]:443', 'TST=ESTABLISHED',
].join('\n');

const book: NameBook = {
  allowlist: new Map([['104.18.6.192|443', ['api.openai.com']]]),
  config: new Map([['104.18.6.192|443', ['api.openai.com']], ['2606:4700::6812:6c0|443', ['api.anthropic.com']]]),
  proxies: new Map([['127.0.0.1|3128', '127.0.0.1:3128']]),
};

describe('egress: sockets of the gateway tree', () => {
  it('finds the tree from ps and keeps only established connections the tree opened to others', () => {
    const children = parseProcessTable('    1     0\n 4100     1\n 4133  4100\n 4140  4133\n 5000     1\n');
    assert.deepEqual(processTree([4100], children).sort(), [4100, 4133, 4140]);
    const out = outboundSockets(parseSockets(LSOF)).map((s) => `${s.pid} ${s.remote.address}:${s.remote.port}`);
    assert.deepEqual(out, ['4100 104.18.6.192:443', '4100 127.0.0.1:3128', '4133 2606:4700::6812:6c0:443']);
    // lsof leaves out the `f` lines unless they are asked for.
    const bare = LSOF.split('\n').filter((line) => !line.startsWith('f')).join('\n');
    assert.deepEqual(outboundSockets(parseSockets(bare)).map((s) => `${s.pid} ${s.remote.address}:${s.remote.port}`), out);
  });
  it('names addresses: the proxy first, then allowlist, then config, then the reverse name', () => {
    assert.deepEqual(attribute({ address: '127.0.0.1', port: 3128 }, book, null), { names: ['127.0.0.1:3128'], attribution: 'proxy' });
    assert.deepEqual(attribute({ address: '104.18.6.192', port: 443 }, book, null), { names: ['api.openai.com'], attribution: 'allowlist' });
    assert.deepEqual(attribute({ address: '2606:4700::6812:6c0', port: 443 }, book, null), { names: ['api.anthropic.com'], attribution: 'config' });
    assert.deepEqual(attribute({ address: '17.253.1.1', port: 443 }, book, 'a.example.net'), { names: ['a.example.net'], attribution: 'reverse' });
    assert.deepEqual(attribute({ address: '17.253.1.1', port: 443 }, book, null), { names: [], attribution: 'unknown' });
    assert.deepEqual(attribute({ address: '104.18.6.192', port: 8443 }, book, null), { names: [], attribution: 'unknown' }, 'another port of an allowlisted host is another service');
  });
});

describe('egress: kept counts', () => {
  const conn = (localPort: number, address: string, names: string[], attribution: 'config' | 'reverse' = 'config') => ({ local: { address: '10.0.0.5', port: localPort }, remote: { address, port: 443 }, names, attribution });
  it('a socket seen in consecutive samples counts once; first and last seen move; old destinations are forgotten', () => {
    let kept = emptyObservations();
    let previous = new Set<string>();
    const at = (s: number) => new Date(Date.UTC(2026, 0, 2, 12, 0, s));
    for (const [s, conns] of [[0, [conn(50001, '104.18.6.192', ['api.openai.com'])]], [2, [conn(50001, '104.18.6.192', ['api.openai.com']), conn(50002, '104.18.6.192', ['api.openai.com'])]], [4, [conn(50009, '8.8.4.4', ['dns.google'], 'reverse')]]] as const) {
      const merged = mergeSample(kept, { at: at(s), connections: [...conns] }, previous, 86_400_000);
      kept = merged.kept;
      previous = merged.sockets;
    }
    const openai = kept.destinations.find((d) => d.address === '104.18.6.192')!;
    assert.equal(openai.connections, 2);
    assert.equal(openai.samples, 2);
    assert.equal(openai.firstSeen, at(0).toISOString());
    assert.equal(openai.lastSeen, at(2).toISOString());
    assert.equal(kept.samples, 3);
    const later = mergeSample(kept, { at: new Date(Date.UTC(2026, 0, 4)), connections: [] }, previous, 86_400_000).kept;
    assert.deepEqual(later.destinations, []);
  });
  it('the three lists of the firewall ticket', () => {
    const kept = mergeSample(emptyObservations(), { at: new Date(Date.UTC(2026, 0, 2)), connections: [conn(1, '104.18.6.192', ['api.openai.com']), conn(2, '8.8.4.4', ['dns.google'], 'reverse')] }, new Set(), 86_400_000).kept;
    const rows = [{ host: 'api.openai.com', port: 443, tls: true, path: '/', pii: false }, { host: 'hooks.slack.com', port: 443, tls: true, path: '/', pii: false }, { host: 'api.github.com', port: 443, tls: true, path: '/', pii: false }];
    const lists = compareWithAllowlist(rows, kept, (row) => row.host === 'api.github.com')!;
    assert.deepEqual(lists.allowlistedSeen.map((r) => [r.host, r.addresses, r.connections]), [['api.openai.com', ['104.18.6.192'], 1]]);
    assert.deepEqual(lists.allowlistedNeverSeen.map((r) => [r.host, r.viaProxy]), [['hooks.slack.com', false], ['api.github.com', true]]);
    assert.deepEqual(lists.seenNotAllowlisted.map((d) => [d.address, d.names]), [['8.8.4.4', ['dns.google']]]);
    assert.equal(compareWithAllowlist(rows, emptyObservations(), () => false), null);
  });
});
