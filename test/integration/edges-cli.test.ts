import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EdgesReport, StatusReport } from '../../main/contract.ts';
import { startCaddy } from '../peers/caddy.ts';
import { startNginx } from '../peers/nginx.ts';
import { NODE24, QUIET_CONFIG, startGateway, writeOpenclawConfig, type RunningGateway } from '../peers/openclaw.ts';
import { waitFor } from '../peers/peer.ts';
import { makePki } from '../peers/pki.ts';
import { startSshd, type RunningSshd } from '../peers/sshd.ts';
import { cliEnv, FIXTURES, makeHome, runCli, writeService } from '../helpers/world.ts';

const TOKEN = 'tok-edges-5b1c9e77a0';

describe('clawbar edges against the real gateway behind nginx and Caddy', { timeout: 420_000 }, () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let gw: RunningGateway;
  let sshd: RunningSshd;
  let nginxPort: number;
  let caddyPort: number;
  const stops: Array<() => Promise<unknown>> = [];
  const timings: string[] = [];

  before(async () => {
    ({ home, cleanup } = await makeHome('clawbar-edges-'));
    const started = Date.now();
    const pki = await makePki(join(home, 'pki'));
    const leaf = await pki.issue('edge', { sans: ['localhost', 'IP:127.0.0.1'] });
    const gatewayPending = startGateway({ home: join(home, 'gw'), auth: 'token', token: TOKEN, config: QUIET_CONFIG });
    sshd = await startSshd({ dir: join(home, 'sshd') });
    stops.push(() => sshd.stop());
    gw = await gatewayPending;
    stops.push(() => gw.stop());
    timings.push(`gateway ready in ${gw.readyMs} ms`);
    const nginx = await startNginx({ dir: join(home, 'nginx'), vhosts: [{ name: 'old', serverNames: ['localhost'], cert: leaf.chain, key: leaf.key, protocols: 'TLSv1 TLSv1.1 TLSv1.2', proxyPass: gw.url }] });
    stops.push(() => nginx.stop());
    assert.ok(nginx.supportsTls10, 'this OpenSSL still speaks TLS 1.0 at security level 0');
    nginxPort = nginx.port('old');
    const caddy = await startCaddy({ dir: join(home, 'caddy'), upstream: `127.0.0.1:${gw.port}`, cert: leaf.chain, key: leaf.key, hsts: true });
    stops.push(() => caddy.stop());
    caddyPort = caddy.port;
    timings.push(`peers ready in ${Date.now() - started} ms`);
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await cleanup();
    process.stdout.write(`# edges timings: ${timings.join('; ')}\n`);
  });

  /** A world whose service is this gateway (its own config file), optionally with more tools on PATH. */
  async function world(name: string, port: number, pathFirst?: string): Promise<Record<string, string>> {
    const dir = join(home, name);
    await writeService(dir, { port, nodePath: NODE24, env: { HOME: dir, OPENCLAW_GATEWAY_PORT: String(port), OPENCLAW_CONFIG_PATH: join(home, 'gw', '.openclaw', 'openclaw.json') } });
    const env = cliEnv(dir);
    return pathFirst ? { ...env, PATH: `${pathFirst}:${env.PATH}` } : env;
  }

  async function edges(env: Record<string, string>, extra: string[] = []) {
    const started = Date.now();
    const run = await runCli(['edges', '--json', ...extra], env, { timeoutMs: 120_000 });
    timings.push(`edges ${Date.now() - started} ms`);
    assert.ok(run.stdout.startsWith('{'), run.stderr);
    return { run, report: EdgesReport.parse(JSON.parse(run.stdout)) };
  }

  it('untrusted edges: TLS 1.0 at nginx is critical, Caddy is TLS 1.2+ with HSTS, both forward over loopback and are refused attribution', async () => {
    const { run, report } = await edges(await world('untrusted', gw.port));
    const nginx = report.proxies.find((p) => p.port === nginxPort);
    const caddy = report.proxies.find((p) => p.port === caddyPort);
    assert.ok(nginx && caddy, JSON.stringify(report.proxies.map((p) => p.url)));
    assert.deepEqual(nginx.tls!.versions.filter((v) => v.accepted).map((v) => v.version), ['TLSv1', 'TLSv1.1', 'TLSv1.2']);
    assert.deepEqual(caddy.tls!.versions.filter((v) => v.accepted).map((v) => v.version), ['TLSv1.2', 'TLSv1.3']);
    assert.match(caddy.tls!.hsts ?? '', /max-age=31536000/);
    assert.equal(nginx.tls!.hsts, null);
    assert.ok(caddy.notes.some((n) => /HSTS with a certificate 0 day\(s\) old/.test(n)), caddy.notes.join('; '));
    assert.ok(nginx.tls!.daysToExpiry! >= 29 && nginx.tls!.chain.length === 2 && !nginx.tls!.selfSigned);
    assert.equal(nginx.upstream.loopback, true);
    assert.equal(nginx.forgedHeader.status, 403, nginx.forgedHeader.detail);
    assert.equal(caddy.forgedHeader.reachedGateway, false);
    const ids = (port: number) => report.findings.filter((f) => f.title.includes(`:${port}/`)).map((f) => `${f.id}/${f.severity}`).sort();
    assert.deepEqual(ids(nginxPort), ['edges.proxy-untrusted/warn', 'edges.tls-weak/critical']);
    assert.deepEqual(ids(caddyPort), ['edges.proxy-untrusted/warn']);
    assert.equal(report.forwarded.direct.refused, true, report.forwarded.direct.detail);
    assert.equal(report.forwarded.direct.status, 403);
    assert.ok(report.tree.some((t) => t.role === 'gateway' && t.port === gw.port && t.address === '127.0.0.1'));
    assert.equal(run.code, 2);
    assert.ok(!run.stdout.includes(TOKEN));
  });

  it('trustedProxies names loopback: the forged X-Forwarded-For through nginx becomes the client, Caddy rebuilds it; an untrusted source is still refused', async () => {
    await writeOpenclawConfig(join(home, 'gw'), { gateway: { trustedProxies: ['127.0.0.1'] } });
    // The gateway hot-reloads trustedProxies: wait until a trusted forwarded request is attributed.
    await waitFor('trustedProxies reload', async () => (await fetch(`${gw.url}/readyz`, { headers: { 'x-forwarded-for': '198.51.100.9' } })).status === 200, 60_000, 500);
    const { report } = await edges(await world('trusted', gw.port));
    const nginx = report.proxies.find((p) => p.port === nginxPort)!;
    const caddy = report.proxies.find((p) => p.port === caddyPort)!;
    assert.equal(nginx.forgedHeader.reachedGateway, true, nginx.forgedHeader.detail);
    assert.equal(caddy.forgedHeader.reachedGateway, false, caddy.forgedHeader.detail);
    assert.ok(report.findings.some((f) => f.id === 'edges.forwarded-forgeable' && f.severity === 'critical' && f.title.includes(`:${nginxPort}/`)));
    assert.ok(!report.findings.some((f) => f.id === 'edges.proxy-untrusted' || f.id === 'edges.trusted-proxies-wide'));
    assert.equal(caddy.severity, 'ok');
    // 127.0.0.1 is trusted now, so the negative test speaks from another loopback address.
    assert.equal(report.forwarded.direct.source, '127.0.0.2');
    assert.equal(report.forwarded.direct.refused, true, report.forwarded.direct.detail);
  });

  it('--edge adds an edge by URL and checks its certificate name; a bad URL is usage', async () => {
    const env = await world('given', gw.port);
    const { report } = await edges(env, ['--edge', `https://localhost:${caddyPort}/`]);
    const given = report.proxies.find((p) => p.source === 'given');
    assert.equal(given?.tls?.san.includes('DNS:localhost'), true);
    assert.ok(!report.findings.some((f) => f.id === 'edges.cert-name'));
    assert.equal((await runCli(['edges', '--edge', 'ftp://x'], env)).code, 64);
  });

  it('remote paths: sshd on loopback, a reverse tunnel without keepalive, Tailscale Serve to the gateway (recorded) — split brain', async () => {
    const bin = join(home, 'tailscale-bin');
    await mkdir(bin, { recursive: true });
    const macos = join(FIXTURES, 'macos');
    await writeFile(join(bin, 'tailscale'), `#!/bin/sh\ncase "$1 $2" in\n  "serve status") cat '${macos}/tailscale-funnel-status-json-serve-1.txt' ;;\n  "funnel status") cat '${macos}/tailscale-serve-status-serve-1.txt' ;;\n  *) exit 1 ;;\nesac\n`, { mode: 0o755 });
    // The recorded Serve route targets 127.0.0.1:18789, so this world's service says its gateway is there.
    const tunnel = await sshd.tunnel('0:127.0.0.1:18789');
    const kept = await sshd.tunnel('0:127.0.0.1:18789', ['-o', 'ServerAliveInterval=30', '-o', 'ServerAliveCountMax=4']);
    // The tunnel must have logged in (a refused key would end the process before clawbar looks).
    await new Promise((r) => setTimeout(r, 2_000));
    assert.doesNotMatch(await tunnel.tail(), /denied|refused|error/i);
    const { report } = await edges(await world('remote', 18789, bin));
    const kinds = report.remote.map((r) => `${r.kind}:${r.toGateway}`).sort();
    assert.ok(kinds.includes('sshd:false') && kinds.includes('ssh-reverse-tunnel:true') && kinds.includes('tailscale-serve:true'), kinds.join(', '));
    const ids = report.findings.map((f) => f.id);
    for (const id of ['edges.split-brain', 'edges.tunnel-keepalive', 'edges.tailscale-serve-unmanaged']) assert.ok(ids.includes(id), ids.join(', '));
    // The first tunnel's keepalive comes from ssh's own config files (ssh -G); the second names the runbook's values.
    const tunnels = report.remote.filter((r) => r.kind === 'ssh-reverse-tunnel');
    assert.deepEqual(tunnels.map((t) => [/\(ssh -G\)$/.test(t.detail), t.severity]).sort(), [[false, 'ok'], [true, 'warn']], tunnels.map((t) => t.detail).join('; '));
    assert.equal(report.findings.filter((f) => f.id === 'edges.tunnel-keepalive').length, 1);
    await tunnel.stop();
    await kept.stop();
  });

  it('clawbar status carries the edges and their findings', async () => {
    const started = Date.now();
    const run = await runCli(['status', '--json'], await world('status', gw.port), { timeoutMs: 120_000 });
    timings.push(`status ${Date.now() - started} ms`);
    const status = StatusReport.parse(JSON.parse(run.stdout));
    assert.ok(status.edges && status.edges.proxies.some((p) => p.port === nginxPort));
    assert.ok(status.findings.some((f) => f.id === 'edges.tls-weak'));
    assert.equal(status.verdict, null);
    assert.equal(status.overall, 'critical');
    const env = await world('report', gw.port);
    const markdown = (await runCli(['report'], env, { timeoutMs: 120_000 })).stdout;
    assert.match(markdown, /## Ways in \(state critical\)/);
    assert.ok(markdown.includes(`| https://127.0.0.1:${nginxPort}/ | nginx | TLSv1, TLSv1.1, TLSv1.2 |`), markdown);
    const metrics = (await runCli(['metrics', '--out', '-'], env, { timeoutMs: 120_000 })).stdout;
    assert.match(metrics, /^clawbar_edge_proxies_weak_tls 1$/m);
    assert.match(metrics, /^clawbar_gateway_down_cause\{cause="wedged"\} 0$/m);
  });
});
