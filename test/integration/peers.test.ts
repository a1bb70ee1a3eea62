import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { startChrony } from '../peers/chrony.ts';
import { resolverFor, startDnsmasq } from '../peers/dnsmasq.ts';
import { startNginx } from '../peers/nginx.ts';
import { makePki } from '../peers/pki.ts';
import { sntpQuery, startSntpServer } from '../peers/sntp-server.ts';
import { startTinyproxy } from '../peers/tinyproxy.ts';
import { subdir } from '../helpers/world.ts';

const DAY_MS = 86_400_000;
const cleanups: Array<() => Promise<unknown>> = [];
let root: string;

const dirFor = (name: string) => subdir(root, name);

/** A TLS handshake only: the negotiated protocol and leaf CN, or the error code. */
function handshake(options: ConnectionOptions): Promise<{ protocol: string | null; cn: unknown } | { code: string }> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', timeout: 5_000, ...options });
    socket.once('secureConnect', () => { resolve({ protocol: socket.getProtocol(), cn: socket.getPeerCertificate().subject?.CN }); socket.destroy(); });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code ?? error.message }));
    socket.once('timeout', () => { socket.destroy(); resolve({ code: 'TIMEOUT' }); });
  });
}

function httpsGet(port: number, servername: string, ca: Buffer, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, servername, ca, path, agent: false, headers: { host: servername, ...headers }, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; }).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' }); });
    req.on('error', reject).on('timeout', () => req.destroy(new Error('timeout'))).end();
  });
}

/** Sends a raw CONNECT and returns whatever the proxy (and then the tunnel) sent within `waitMs`. */
function rawConnect(proxyPort: number, target: string, credentials?: string, waitMs = 300): Promise<string> {
  return new Promise((resolve) => {
    const socket = netConnect(proxyPort, '127.0.0.1', () => {
      const auth = credentials ? `Proxy-Authorization: Basic ${Buffer.from(credentials).toString('base64')}\r\n` : '';
      socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
    });
    let received = '';
    socket.on('data', (data) => { received += data.toString('latin1'); });
    socket.on('error', () => undefined);
    setTimeout(() => { socket.destroy(); resolve(received); }, waitMs);
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('test peers work as the egress and clock tests need', { timeout: 60_000 }, () => {
  before(async () => { root = await mkdtemp(join(tmpdir(), 'clawbar-peers-')); });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });

  it('nginx serves the private PKI: good, expired, not yet valid, wrong name, SNI, TLS 1.0, proxying', async (t) => {
    const started = Date.now();
    const pki = await makePki(await dirFor('pki'));
    const ca = await readFile(pki.caCert);
    const now = Date.now();
    const good = await pki.issue('good', { sans: ['gw.corp.test', 'IP:127.0.0.1', 'IP:::1'] });
    const expired = await pki.issue('expired', { sans: ['expired.corp.test'], notBefore: new Date(now - 30 * DAY_MS), notAfter: new Date(now - DAY_MS) });
    const future = await pki.issue('future', { sans: ['future.corp.test'], notBefore: new Date(now + 2 * DAY_MS) });
    const legacy = await pki.issue('legacy', { sans: ['legacy.corp.test'] });
    const edge = await pki.issue('edge', { sans: ['edge.corp.test'] });
    const sni = await Promise.all(['a', 'b'].map((n) => pki.issue(`sni-${n}`, { sans: [`${n}.bench.test`] })));
    const upstream = createHttpServer((req, res) => res.end(`upstream saw ${req.headers.host}`));
    let upgradeHeaders: IncomingHttpHeaders = {};
    upstream.on('upgrade', (req, socket) => { upgradeHeaders = req.headers; socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'); });
    const upstreamPort = await listen(upstream);
    cleanups.push(() => new Promise((r) => upstream.close(r)));
    const pkiMs = Date.now() - started;

    const nginx = await startNginx({ dir: await dirFor('nginx'), vhosts: [
      { name: 'good', serverNames: ['gw.corp.test'], cert: good.chain, key: good.key, hsts: true, listen: 'both' },
      { name: 'expired', serverNames: ['expired.corp.test'], cert: expired.chain, key: expired.key },
      { name: 'future', serverNames: ['future.corp.test'], cert: future.chain, key: future.key },
      { name: 'legacy', serverNames: ['legacy.corp.test'], cert: legacy.chain, key: legacy.key, protocols: 'TLSv1 TLSv1.1' },
      ...sni.map((c, i) => ({ name: `sni-${i}`, serverNames: [`${'ab'[i]}.bench.test`], cert: c.chain, key: c.key, sharedPortGroup: 'bench' })),
      { name: 'edge', serverNames: ['edge.corp.test'], cert: edge.chain, key: edge.key, proxyPass: `http://127.0.0.1:${upstreamPort}` },
      { name: 'plain', serverNames: ['plain.test'] },
    ] });
    cleanups.push(() => nginx.stop());
    t.diagnostic(`pki ${pkiMs} ms, nginx up (incl. TLS 1.0 probe) ${Date.now() - started - pkiMs} ms, supportsTls10=${nginx.supportsTls10}`);

    assert.deepEqual(await handshake({ port: nginx.port('good'), servername: 'gw.corp.test', ca }), { protocol: 'TLSv1.3', cn: 'gw.corp.test' });
    assert.ok('protocol' in await handshake({ host: '::1', port: nginx.port('good'), ca }), 'IP SAN ::1 on the v6 listener');
    assert.ok('protocol' in await handshake({ port: nginx.port('good'), ca }), 'IP SAN 127.0.0.1');
    assert.deepEqual(await handshake({ port: nginx.port('good'), servername: 'other.corp.test', ca }), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    assert.deepEqual(await handshake({ port: nginx.port('expired'), servername: 'expired.corp.test', ca }), { code: 'CERT_HAS_EXPIRED' });
    assert.deepEqual(await handshake({ port: nginx.port('future'), servername: 'future.corp.test', ca }), { code: 'CERT_NOT_YET_VALID' });
    assert.deepEqual(await handshake({ port: nginx.port('good'), servername: 'gw.corp.test' }), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    assert.equal(nginx.port('sni-0'), nginx.port('sni-1'));
    for (const n of ['a', 'b']) assert.equal((await handshake({ port: nginx.port('sni-0'), servername: `${n}.bench.test`, ca }) as { cn: unknown }).cn, `${n}.bench.test`);

    // A default client refuses TLS 1.0; only a security-level-0 client gets through.
    assert.ok('code' in await handshake({ port: nginx.port('legacy'), servername: 'legacy.corp.test', ca }));
    const legacyTls = await handshake({ port: nginx.port('legacy'), servername: 'legacy.corp.test', ca, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    if (nginx.supportsTls10) assert.deepEqual(legacyTls, { protocol: 'TLSv1', cn: 'legacy.corp.test' });
    else assert.ok('code' in legacyTls, 'nginx said no TLS 1.0, yet node completed it');

    const root200 = await httpsGet(nginx.port('good'), 'gw.corp.test', ca, '/');
    assert.equal(root200.status, 200);
    assert.equal(root200.body.trim(), 'ok');
    assert.equal(root200.headers['strict-transport-security'], 'max-age=31536000');
    const waf = await httpsGet(nginx.port('good'), 'gw.corp.test', ca, '/status/403');
    assert.equal(waf.status, 403);
    assert.match(waf.body, /Access denied/);
    const limited = await httpsGet(nginx.port('good'), 'gw.corp.test', ca, '/status/429');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers['retry-after'], '7');
    assert.equal((await httpsGet(nginx.port('good'), 'gw.corp.test', ca, '/status/503')).status, 503);
    assert.equal((await httpsGet(nginx.port('good'), 'gw.corp.test', ca, '/date')).status, 200);

    assert.equal((await httpsGet(nginx.port('edge'), 'edge.corp.test', ca, '/')).body, 'upstream saw edge.corp.test');
    const upgraded = await httpsGet(nginx.port('edge'), 'edge.corp.test', ca, '/ws', { connection: 'Upgrade', upgrade: 'websocket' });
    assert.equal(upgraded.status, 101);
    assert.equal(upgradeHeaders.upgrade, 'websocket');
    assert.equal(upgradeHeaders.connection, 'upgrade');

    const plain = await fetch(`http://127.0.0.1:${nginx.port('plain')}/status/429`);
    assert.equal(plain.status, 429);
    assert.equal(plain.headers.get('retry-after'), '7');
  });

  it('tinyproxy tunnels CONNECT for the right credentials and logs the target', async (t) => {
    const target = createNetServer((socket) => socket.end('hello from target'));
    const targetPort = await listen(target);
    cleanups.push(() => new Promise((r) => target.close(r)));
    const started = Date.now();
    const proxy = await startTinyproxy({ dir: await dirFor('tinyproxy'), user: 'probe', password: 's3cret' });
    cleanups.push(() => proxy.stop());
    t.diagnostic(`tinyproxy up in ${Date.now() - started} ms`);
    assert.equal(proxy.url, `http://probe:s3cret@127.0.0.1:${proxy.port}`);
    assert.equal(proxy.urlWithoutAuth, `http://127.0.0.1:${proxy.port}`);

    const ok = await rawConnect(proxy.port, `127.0.0.1:${targetPort}`, 'probe:s3cret');
    assert.match(ok, /^HTTP\/1\.[01] 200 /);
    assert.match(ok, /hello from target$/);
    assert.match(await rawConnect(proxy.port, `127.0.0.1:${targetPort}`), /^HTTP\/1\.[01] 407 /);
    // tinyproxy 1.11.1 says 401, not 407, when credentials are present but wrong.
    assert.match(await rawConnect(proxy.port, `127.0.0.1:${targetPort}`, 'probe:wrong'), /^HTTP\/1\.[01] 40[17] /);
    assert.match(await proxy.readLog(), new RegExp(`Request \\(file descriptor \\d+\\): CONNECT 127\\.0\\.0\\.1:${targetPort} HTTP/1\\.1`));
  });

  it('dnsmasq answers A, AAAA, NODATA and NXDOMAIN', async (t) => {
    const started = Date.now();
    const dns = await startDnsmasq({ dir: await dirFor('dnsmasq'), records: [
      { name: 'gw.corp.test', a: ['127.0.0.1', '127.0.0.2'], aaaa: ['::1'] },
      { name: 'v4only.corp.test', a: ['127.0.0.3'] },
    ] });
    cleanups.push(() => dns.stop());
    t.diagnostic(`dnsmasq up in ${Date.now() - started} ms`);
    const resolver = resolverFor(`${dns.address}:${dns.port}`);
    assert.deepEqual((await resolver.resolve4('gw.corp.test')).sort(), ['127.0.0.1', '127.0.0.2']);
    assert.deepEqual(await resolver.resolve6('gw.corp.test'), ['::1']);
    await assert.rejects(resolver.resolve6('v4only.corp.test'), { code: 'ENODATA' });
    await assert.rejects(resolver.resolve4('missing.corp.test'), { code: 'ENOTFOUND' });
    assert.match(await dns.readLog(), /query\[AAAA\] v4only\.corp\.test/);
  });

  it('chronyd serves NTP at stratum 8 on a loopback high port', async (t) => {
    const chrony = await startChrony({ dir: await dirFor('chrony') });
    cleanups.push(() => chrony.stop());
    t.diagnostic(`chronyd answered ${chrony.readyMs} ms after spawn`);
    const reply = await sntpQuery('127.0.0.1', chrony.port);
    assert.equal(reply.mode, 4);
    assert.equal(reply.stratum, 8);
    assert.ok(reply.originateMatches);
    assert.ok(Math.abs(reply.offsetMs) < 50, `offset ${reply.offsetMs} ms`);
  });

  it('the in-process SNTP server reports its offset, on v4 and v6, or stays silent', async () => {
    for (const host of ['127.0.0.1', '::1'] as const) {
      const server = await startSntpServer({ offsetMs: 90_000, stratum: 3, host });
      cleanups.push(() => server.stop());
      const reply = await sntpQuery(host, server.port);
      assert.deepEqual([reply.mode, reply.stratum, reply.version, reply.leap, reply.originateMatches], [4, 3, 4, 0, true]);
      assert.ok(Math.abs(reply.offsetMs - 90_000) < 50, `offset ${reply.offsetMs} ms`);
    }
    const silent = await startSntpServer({ offsetMs: 0, silent: true });
    cleanups.push(() => silent.stop());
    await assert.rejects(sntpQuery('127.0.0.1', silent.port, 300), /no SNTP reply/);
    assert.equal(silent.requests(), 1);
  });
});
