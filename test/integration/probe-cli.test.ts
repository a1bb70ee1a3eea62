import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProbeReport } from '../../main/contract.ts';
import { startDnsmasq } from '../peers/dnsmasq.ts';
import { startNginx } from '../peers/nginx.ts';
import { QUIET_CONFIG, startGateway, type RunningGateway } from '../peers/openclaw.ts';
import { makePki, type Pki } from '../peers/pki.ts';
import { startTinyproxy } from '../peers/tinyproxy.ts';
import { daemonNode } from '../helpers/daemon-node.ts';
import { cliEnv, makeHome, runCli, writeService } from '../helpers/world.ts';

const DAY = 86_400_000;
const PROXY_PASSWORD = 'Prx-s3cret-0pen';

describe('clawbar probe against real peers on loopback', { timeout: 240_000 }, () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let pki: Pki;
  let nginx: Awaited<ReturnType<typeof startNginx>>;
  let proxy: Awaited<ReturnType<typeof startTinyproxy>>;
  let dns: Awaited<ReturnType<typeof startDnsmasq>>;
  let gateway: RunningGateway;
  let v4only: Server;
  let v4port: number;
  let node: string;
  const stops: Array<() => Promise<unknown>> = [];

  before(async () => {
    ({ home, cleanup } = await makeHome());
    const dir = (name: string) => mkdir(join(home, name), { recursive: true }).then(() => join(home, name));
    pki = await makePki(await dir('pki'));
    const now = Date.now();
    const good = await pki.issue('good', { sans: ['api.corp.test', 'localhost', 'IP:127.0.0.1'] });
    const other = await pki.issue('other', { sans: ['other.corp.test'] });
    const expired = await pki.issue('expired', { sans: ['api.corp.test'], notBefore: new Date(now - 30 * DAY), notAfter: new Date(now - DAY) });
    const future = await pki.issue('future', { sans: ['api.corp.test'], notBefore: new Date(now + 2 * DAY), notAfter: new Date(now + 30 * DAY) });
    nginx = await startNginx({ dir: await dir('nginx'), vhosts: [
      { name: 'valid', serverNames: ['api.corp.test', 'localhost'], cert: good.chain, key: good.key },
      { name: 'wrong-name', serverNames: ['api.corp.test'], cert: other.chain, key: other.key },
      { name: 'expired', serverNames: ['api.corp.test'], cert: expired.chain, key: expired.key },
      { name: 'future', serverNames: ['api.corp.test'], cert: future.chain, key: future.key },
      { name: 'tls10', serverNames: ['api.corp.test'], cert: good.chain, key: good.key, protocols: 'TLSv1' },
    ] });
    stops.push(() => nginx.stop());
    proxy = await startTinyproxy({ dir: await dir('proxy'), user: 'ops', password: PROXY_PASSWORD });
    stops.push(() => proxy.stop());
    v4only = createServer((_req, res) => res.end('v4 only'));
    await new Promise<void>((resolve) => v4only.listen(0, '127.0.0.1', resolve));
    v4port = (v4only.address() as { port: number }).port;
    stops.push(() => new Promise((resolve) => v4only.close(resolve)));
    dns = await startDnsmasq({ dir: await dir('dns'), records: [{ name: 'dual.test', a: ['127.0.0.1'], aaaa: ['::1'] }] });
    stops.push(() => dns.stop());
    gateway = await startGateway({ home: await dir('gateway-home'), config: QUIET_CONFIG });
    stops.push(() => gateway.stop());
    node = await daemonNode('probe-cli');
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await cleanup();
  });

  /** A gateway service whose env file holds `env`, run by the daemon's own node binary; its config has no managed proxy. */
  async function service(name: string, env: Record<string, string>, config: Record<string, unknown> = { models: QUIET_CONFIG.models, update: QUIET_CONFIG.update }): Promise<string> {
    const world = join(home, name);
    const svc = await writeService(world, { nodePath: node, port: gateway.port, env: { HOME: world, PATH: '/usr/bin:/bin', ...env } });
    await writeFile(join(svc.stateDir, 'openclaw.json'), JSON.stringify(config));
    return svc.plistPath;
  }

  async function probe(plist: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; report: ProbeReport; stdout: string }> {
    const run = await runCli(['probe', '--plist', plist, '--json', '--timeout', '5000', ...args], cliEnv(home, extraEnv));
    assert.equal(run.stderr, '', run.stderr);
    return { code: run.code, report: ProbeReport.parse(JSON.parse(run.stdout)), stdout: run.stdout };
  }

  const pinned = (vhost: string) => ['--target', `https://api.corp.test:${nginx.port(vhost)}/`, '--resolve', `api.corp.test:${nginx.port(vhost)}:127.0.0.1`];

  it("fails tls-trust without the CA and passes when the plist's environment sets NODE_EXTRA_CA_CERTS, under the daemon's own node", async () => {
    assert.equal(cliEnv(home).NODE_EXTRA_CA_CERTS, undefined);
    const without = await probe(await service('no-ca', {}), pinned('valid'));
    const r = without.report.results[0]!;
    assert.equal(r.ok, false);
    assert.equal(r.layer, 'tls-trust');
    assert.match(r.tls?.issuer ?? '', /Corp Inspection CA/);
    assert.equal(r.tls?.subject, 'api.corp.test');
    assert.ok(r.tls?.san.includes('DNS:api.corp.test'));
    assert.equal(r.tls?.servername, 'api.corp.test');
    assert.match(r.fix ?? '', /clawbar fix ca/);
    assert.equal(without.code, 2);

    const withCa = await probe(await service('with-ca', { NODE_EXTRA_CA_CERTS: pki.caCert }), pinned('valid'));
    const ok = withCa.report.results[0]!;
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.equal(ok.tls?.authorized, true);
    assert.equal(ok.http?.status, 200);
    assert.ok(ok.phases.tlsMs! > 0 && ok.phases.ttfbMs! > 0 && ok.phases.totalMs >= ok.phases.tlsMs!);
    assert.equal(withCa.report.environment.source, 'daemon');
    assert.equal(withCa.report.runtime.execPath, node);
    assert.equal(withCa.report.runtime.nodeVersion, process.version);

    const shell = await probe(await service('shell-side', { NODE_EXTRA_CA_CERTS: pki.caCert }), [...pinned('valid'), '--shell-env']);
    assert.equal(shell.report.environment.source, 'shell');
    assert.equal(shell.report.results[0]!.layer, 'tls-trust');
  });

  it('puts name mismatch, expiry and a wrong clock in their layers', async () => {
    const plist = await service('layers', { NODE_EXTRA_CA_CERTS: pki.caCert });
    const layer = async (vhost: string) => (await probe(plist, pinned(vhost))).report.results[0]!;
    const name = await layer('wrong-name');
    assert.equal(name.layer, 'tls-name');
    assert.deepEqual(name.tls?.san, ['DNS:other.corp.test']);
    const expired = await layer('expired');
    assert.equal(expired.layer, 'tls-clock');
    assert.ok(expired.tls!.daysToExpiry! < 0);
    const future = await layer('future');
    assert.equal(future.layer, 'tls-clock');
    assert.match(future.explanation ?? '', /not valid yet/);
    // nginx offers TLS 1.0 only; Node's OpenSSL refuses it at its default security level.
    assert.equal((await layer('tls10')).layer, 'tls-protocol');
  });

  it('classifies WAF 403 and rate-limit 429 from the edge', async () => {
    const plist = await service('status', { NODE_EXTRA_CA_CERTS: pki.caCert });
    const port = nginx.port('valid');
    const { report } = await probe(plist, ['--target', `https://api.corp.test:${port}/status/403`, '--target', `https://api.corp.test:${port}/status/429`, '--resolve', `api.corp.test:${port}:127.0.0.1`]);
    assert.deepEqual(report.results.map((r) => [r.http?.status, r.layer]), [[403, 'waf'], [429, 'rate-limit']]);
  });

  it('goes through the proxy with Basic auth: wrong password is proxy-auth, right one passes and the proxy logs the CONNECT, NO_PROXY goes direct', async () => {
    const target = ['--target', `https://localhost:${nginx.port('valid')}/`];
    const wrong = await probe(await service('proxy-wrong', { NODE_EXTRA_CA_CERTS: pki.caCert, HTTPS_PROXY: proxy.url.replace(PROXY_PASSWORD, 'not-it') }), target);
    assert.equal(wrong.report.results[0]!.layer, 'proxy-auth');
    const right = await probe(await service('proxy-right', { NODE_EXTRA_CA_CERTS: pki.caCert, HTTPS_PROXY: proxy.url }), target);
    const r = right.report.results[0]!;
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.via, 'proxy');
    assert.equal(r.proxyStatus, 200);
    assert.ok(r.phases.proxyConnectMs! > 0);
    assert.equal(r.phases.dnsMs, null, 'the target is not resolved locally when proxied');
    assert.match(await proxy.readLog(), new RegExp(`CONNECT localhost:${nginx.port('valid')}`));
    for (const out of [wrong.stdout, right.stdout]) assert.ok(!out.includes(PROXY_PASSWORD));
    const bypass = await probe(await service('proxy-bypass', { NODE_EXTRA_CA_CERTS: pki.caCert, HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1,::1' }), target);
    assert.equal(bypass.report.results[0]!.via, 'direct');
    assert.match(bypass.report.results[0]!.route.rule, /NO_PROXY entry 'localhost'/);
  });

  it('reports the IPv6/IPv4 split for a name whose AAAA is dead and A is live, and NXDOMAIN', async () => {
    const plist = await service('dns', {});
    const { report } = await probe(plist, ['--dns-server', `127.0.0.1:${dns.port}`, '--target', `http://dual.test:${v4port}/`, '--target', `http://nope.test:${v4port}/`]);
    const [dual, nope] = report.results;
    assert.equal(dual!.ok, true);
    assert.equal(dual!.family, 4);
    assert.deepEqual(dual!.families.map((f) => [f.family, f.ok, f.error]), [[4, true, null], [6, false, 'ECONNREFUSED']]);
    assert.deepEqual(dual!.dns?.resolvers[0]?.a, ['127.0.0.1']);
    assert.ok(report.findings.some((f) => f.id === 'probe.family-split'));
    assert.equal(nope!.layer, 'dns');
    assert.equal(nope!.dns?.resolvers[0]?.rcode, 'NXDOMAIN');
  });

  it("probes the real gateway's health, readiness and WebSocket from its config, and OpenClaw's own hosts through its managed proxy", async () => {
    const { report } = await probe(await service('gateway-defaults', {}, QUIET_CONFIG), []);
    const byKind = Object.fromEntries(report.results.map((r) => [r.kind, r]));
    assert.equal(byKind['gateway-health']?.ok, true);
    assert.deepEqual(byKind['gateway-ready']?.ready, { ready: true, failing: [] });
    assert.equal(byKind['gateway-ws']?.websocket?.upgraded, true);
    const feed = report.results.find((r) => r.kind === 'openclaw')!;
    assert.equal(feed.via, 'proxy', 'the managed proxy carries external hosts; nothing is resolved here');
    assert.equal(feed.layer, 'proxy');
    assert.equal(report.results.filter((r) => r.kind === 'openclaw').length, 1, 'catalog and update checks are off in the config');
  });

  it('upgrades to the real gateway WebSocket through the authenticated proxy', async () => {
    const plist = await service('ws-proxy', { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
    const { report } = await probe(plist, ['--target', `ws://127.0.0.1:${gateway.port}/`]);
    const r = report.results[0]!;
    assert.equal(r.via, 'proxy');
    assert.equal(r.websocket?.upgraded, true, JSON.stringify(r));
    assert.match(await proxy.readLog(), new RegExp(`CONNECT 127\\.0\\.0\\.1:${gateway.port}`));
  });

  it('appends one redacted JSON line per probe to the log', async () => {
    const log = join(home, '.local', 'state', 'clawbar', 'logs', 'probes.jsonl');
    const lines = (await readFile(log, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(lines.length >= 10);
    assert.ok(lines.every((line) => typeof line.traceId === 'string' && typeof line.target === 'string' && 'layer' in line && 'phases' in line));
    assert.ok(!(await readFile(log, 'utf8')).includes(PROXY_PASSWORD));
  });

  it('refuses bad usage with 64', async () => {
    const plist = await service('usage', {});
    for (const args of [['--target', 'ftp://x/'], ['--resolve', 'nonsense'], ['--timeout', '5']]) {
      const run = await runCli(['probe', '--plist', plist, ...args], cliEnv(home));
      assert.equal(run.code, 64, `${args.join(' ')}: ${run.stderr}`);
    }
  });
});
