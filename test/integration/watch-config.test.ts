import assert from 'node:assert/strict';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent } from '../../main/agent/agent.ts';
import { Settings } from '../../main/settings-schema.ts';
import { NODE24, openclawEntry, QUIET_CONFIG, writeOpenclawConfig } from '../peers/openclaw.ts';
import { freePort, Peer, waitFor } from '../peers/peer.ts';
import { startReceiver, type Receiver } from '../peers/receiver.ts';
import { startSntpServer, type RunningSntpServer } from '../peers/sntp-server.ts';
import { startTinyproxy } from '../peers/tinyproxy.ts';
import { jsonLines, startWatcher, waitForLine, watchPaths, writeSettings } from '../helpers/watch-world.ts';
import { makeHome, subdir, writeService } from '../helpers/world.ts';

const TOKEN = 'watch-config-token-0123456789';
const PROXY_PASSWORD = 'proxyPASSw0rd-watch';

/** Rewrites openclaw.json the way an editor saves: a temp file renamed over the original. */
async function editConfig(path: string, config: object): Promise<void> {
  await writeFile(`${path}.swp`, `// edited by hand\n${JSON.stringify(config, null, 2)}\n`);
  await rename(`${path}.swp`, path);
}

describe('clawbar watch re-verifies config changes and pages through the daemon proxy', { timeout: 300_000 }, () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let receiver: Receiver;
  let sntp: RunningSntpServer;
  const stops: Array<() => Promise<unknown>> = [];

  before(async () => {
    ({ home: root, cleanup } = await makeHome());
    receiver = await startReceiver();
    stops.push(() => receiver.close());
    sntp = await startSntpServer({ offsetMs: 0 });
    stops.push(() => sntp.stop());
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await cleanup();
  });

  it('gateway.bind → lan in openclaw.json pages an exposure within the 5-minute window (logged with what changed), and resolves when put back', async () => {
    const gwHome = await subdir(root, 'gateway');
    const port = await freePort();
    const config = { ...QUIET_CONFIG, gateway: { port, bind: 'loopback', auth: { mode: 'token', token: TOKEN } } };
    const configPath = await writeOpenclawConfig(gwHome, config);
    // Bind and auth come from the config only (no --bind), so the gateway's own reload applies the edit.
    const gateway = new Peer({ name: 'openclaw-gateway', command: NODE24, cwd: gwHome, args: [openclawEntry(), 'gateway', 'run', '--allow-unconfigured', '--port', String(port)], env: { HOME: gwHome, PATH: `${join(NODE24, '..')}:/usr/bin:/bin`, TMPDIR: '/tmp' } });
    await gateway.start();
    stops.push(() => gateway.stop());
    await gateway.ready(async () => (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok, 90_000);

    const world = await subdir(root, 'world');
    await writeService(world, { nodePath: NODE24, port, env: { HOME: gwHome, OPENCLAW_GATEWAY_PORT: String(port) } });
    await writeSettings(world, {
      ntpServer: `127.0.0.1:${sntp.port}`, healthIntervalSec: 5, watch: { configPollSec: 1, configDebounceSec: 1 },
      paging: { confirmAfterSec: 5, checks: { egress: { enabled: false } }, notifiers: [{ kind: 'webhook', name: 'hook', url: receiver.url('/bind') }] },
    });
    const watcher = await startWatcher(world);
    stops.push(() => watcher.stop());
    const paths = watchPaths(world);
    await new Promise((r) => setTimeout(r, 3_000));
    assert.deepEqual(receiver.on('/bind'), []);

    const changedAt = Date.now();
    await editConfig(configPath, { ...config, gateway: { ...config.gateway, bind: 'lan' } });
    // The gateway restarts itself to rebind (OpenClaw's hybrid reload); on a slow machine that restart can
    // outlast the confirmation time and page 'gateway' too. This test is about the exposure page.
    const pages = (check: string, event: string) => receiver.on('/bind').map((r) => r.json as Record<string, unknown>).filter((p) => p.check === check && p.event === event);
    const exposurePages = (event: string) => pages('exposure', event);
    await waitFor('the exposure page', async () => exposurePages('firing').length > 0, 240_000, 250);
    const pagedMs = Date.now() - changedAt;
    assert.ok(pagedMs < 300_000, `within the runbook's 5-minute window: ${pagedMs} ms`);
    const page = exposurePages('firing')[0]!;
    assert.deepEqual([page.event, page.check, page.from, page.to], ['firing', 'exposure', 'loopback', 'exposed']);
    assert.match(String(page.detail), /lan/);
    assert.equal(page.fix, 'clawbar fix bind');
    const change = (await jsonLines(paths.watchLog)).find((l) => l.event === 'config-change')!;
    assert.deepEqual((change.gateway as Record<string, unknown>).bind, { from: 'loopback', to: 'lan' });
    assert.match(String(change.line), /^config changed: bind loopback → lan/);
    console.log(`  gateway.bind → lan paged in ${pagedMs} ms`);

    await editConfig(configPath, config);
    await waitFor('the resolved exposure page', async () => exposurePages('resolved').length > 0, 240_000, 250);
    assert.equal(exposurePages('firing').length, 1, 'one exposure page for one change');
    if (pages('gateway', 'firing').length > 0) await waitFor('the restart page resolved', async () => pages('gateway', 'resolved').length > 0, 60_000, 250);
    const texts = await Promise.all([paths.pages, paths.watchLog, paths.watchState].map((p) => readFile(p, 'utf8')));
    for (const text of texts) assert.ok(!text.includes(TOKEN), 'the gateway token from the config stays out of every file');
  });

  it('pages leave through the proxy the service names (tinyproxy, Basic auth), NO_PROXY honoured; a failing receiver is retried and logged without holding the others back', async () => {
    const proxy = await startTinyproxy({ dir: await subdir(root, 'tinyproxy'), user: 'pager', password: PROXY_PASSWORD });
    stops.push(() => proxy.stop());
    const world = await subdir(root, 'proxied');
    const deadPort = await freePort();
    await writeService(world, { nodePath: NODE24, port: deadPort, env: { HOME: world, OPENCLAW_GATEWAY_PORT: String(deadPort), HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost' } });
    await writeFile(join(world, '.openclaw', 'openclaw.json'), JSON.stringify({ gateway: { port: deadPort, auth: { mode: 'none' } }, models: QUIET_CONFIG.models, update: QUIET_CONFIG.update }));
    receiver.answer('/failing', 503);
    const settings = Settings.parse({
      ntpServer: `127.0.0.1:${sntp.port}`,
      paging: {
        confirmAfterSec: 5, checks: { egress: { enabled: false }, exposure: { enabled: false } },
        notifiers: [{ kind: 'webhook', name: 'proxied', url: receiver.url('/via-proxy') }, { kind: 'slack', name: 'direct', url: `http://localhost:${receiver.port}/direct` }, { kind: 'webhook', name: 'failing', url: receiver.url('/failing') }],
      },
    });
    const agent = new Agent({ settings, home: world, role: 'watcher', shellEnv: { HOME: world, PATH: process.env.PATH }, intervals: { healthMs: 500, listenersMs: 600_000, clockMs: 600_000, probesMs: 3_600_000, serviceMs: 3_600_000, configMs: 3_600_000 } });
    await agent.start();
    try {
      await waitFor('pages at both receivers', async () => receiver.on('/via-proxy').length > 0 && receiver.on('/direct').length > 0, 30_000, 100);
      const log = await proxy.readLog();
      assert.match(log, new RegExp(`POST http://127\\.0\\.0\\.1:${receiver.port}/via-proxy`), 'the page went through the proxy');
      assert.doesNotMatch(log, /\/direct/, 'localhost is in NO_PROXY: that page went direct');
      assert.equal((receiver.on('/via-proxy')[0]!.json as { check: string }).check, 'gateway');
      const pages = watchPaths(world).pages;
      await waitForLine(pages, 'a retried delivery', (l) => l.notifier === 'failing' && l.outcome === 'retrying' && l.error === 'HTTP 503' && l.retryInMs === 5_000, 20_000);
      const lines = await jsonLines(pages);
      assert.ok(lines.some((l) => l.notifier === 'proxied' && l.outcome === 'sent' && l.via === 'proxy'));
      assert.ok(lines.some((l) => l.notifier === 'direct' && l.outcome === 'sent' && l.via === 'direct'));
      assert.ok(!(await readFile(pages, 'utf8')).includes(PROXY_PASSWORD));
    } finally {
      await agent.stop();
    }
    assert.ok((await jsonLines(watchPaths(world).pages)).some((l) => l.notifier === 'failing' && l.outcome === 'undelivered'), 'what never went out is logged at stop');
  });

  it('egress pages per failing layer, with the probe run as its trace id', async () => {
    const world = await subdir(root, 'egress');
    const deadPort = await freePort();
    await writeService(world, { nodePath: NODE24, port: deadPort, env: { HOME: world, OPENCLAW_GATEWAY_PORT: String(deadPort) } });
    // QUIET_CONFIG's managed proxy is dead: ClawHub fails in layer proxy; the gateway's own loopback targets go direct and are refused.
    await writeFile(join(world, '.openclaw', 'openclaw.json'), JSON.stringify({ ...QUIET_CONFIG, gateway: { port: deadPort, auth: { mode: 'none' } } }));
    const settings = Settings.parse({
      ntpServer: `127.0.0.1:${sntp.port}`,
      paging: { confirmAfterSec: 5, checks: { gateway: { enabled: false }, exposure: { enabled: false } }, notifiers: [{ kind: 'webhook', url: receiver.url('/egress') }] },
    });
    const agent = new Agent({ settings, home: world, role: 'watcher', probeTimeoutMs: 3_000, shellEnv: { HOME: world, PATH: process.env.PATH }, intervals: { healthMs: 600_000, listenersMs: 600_000, clockMs: 600_000, probesMs: 3_600_000, serviceMs: 3_600_000, configMs: 3_600_000 } });
    await agent.start();
    try {
      await waitFor('egress pages', async () => receiver.on('/egress').length >= 2, 60_000, 200);
      const pages = receiver.on('/egress').map((r) => r.json as Record<string, string>);
      assert.deepEqual(pages.map((p) => [p.check, p.layer, p.event]).sort(), [['egress', 'proxy', 'firing'], ['egress', 'refused', 'firing']]);
      const probes = await jsonLines(join(world, '.local', 'state', 'clawbar', 'logs', 'probes.jsonl'));
      assert.ok(pages.every((p) => probes.some((l) => l.traceId === p.traceId && l.layer === p.layer)), 'each page names the probe run that saw it');
      assert.match(String(pages.find((p) => p.layer === 'proxy')!.detail), /ClawHub plugin feed/);
    } finally {
      await agent.stop();
    }
  });
});
