import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { Agent } from '../../../main/agent/agent.ts';
import { DaemonRuntime, LastProbeRun, type ProbeReport } from '../../../main/contract.ts';
import { Session } from '../../../main/session/session.ts';
import { Settings } from '../../../main/settings.ts';
import { buildWorld } from '../../../main/world.ts';
import { QUIET_CONFIG } from '../../peers/openclaw.ts';
import { makeHome, writeService } from '../../helpers/world.ts';

const waitUntil = async (what: string, check: () => boolean | Promise<boolean>, ms = 30_000) => {
  for (const started = Date.now(); Date.now() - started < ms; await new Promise((r) => setTimeout(r, 50))) if (await check()) return;
  assert.fail(`${what} not reached in time`);
};
const listen = (server: ReturnType<typeof createServer>) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));

/** How long the baselined target takes to answer: long enough that two runs in flight together meet there. */
const SLOW_MS = 400;

/**
 * The agent's upgrade comparison against its other probe runs: a stub
 * gateway whose /startupz version the test changes, and one slow loopback
 * target that both the baseline and the allowlist name, so every run of
 * either kind asks it — and it counts how many ask at once. "Run probes now"
 * is pressed over and over while the comparison runs.
 */
describe('the comparison after an upgrade and the other probe runs', () => {
  it('runs one at a time with them, and is kept in the probe log (tagged) without replacing the last full run', async () => {
    let version = '2026.9.6';
    const gateway = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/readyz' ? '{"ready":true,"failing":[],"uptimeMs":5000}' : req.url === '/startupz' ? JSON.stringify({ version }) : '{"ok":true}');
    });
    let inFlight = 0;
    let most = 0;
    const slow = createServer((_req, res) => {
      most = Math.max(most, ++inFlight);
      setTimeout(() => { inFlight--; res.end('ok'); }, SLOW_MS);
    });
    const [port, slowPort] = [await listen(gateway), await listen(slow)];
    const slowUrl = `http://127.0.0.1:${slowPort}/`;
    const { home, cleanup } = await makeHome();
    const said: string[] = [];
    let agent: Agent | null = null;
    try {
      const service = await writeService(home, { port, env: { HOME: home, OPENCLAW_GATEWAY_PORT: String(port) } });
      await writeFile(join(service.stateDir, 'openclaw.json'), JSON.stringify({ ...QUIET_CONFIG, gateway: { port, bind: 'loopback', auth: { mode: 'none' } } }));
      const shellEnv = { HOME: home, PATH: process.env.PATH };
      const world = buildWorld({ env: shellEnv, home });
      await mkdir(dirname(world.files.allowlist), { recursive: true });
      await writeFile(world.files.allowlist, `egress:\n  - { host: 127.0.0.1, port: ${slowPort}, tls: false, owner: test }\n`);
      const session = new Session(world);
      const asked = [{ url: slowUrl, kind: 'custom' as const, name: null, sni: null, pin: null }];
      const base = await session.probe(await session.service(service.plistPath), { source: 'daemon', exact: asked, timeoutMs: 3_000 });
      assert.equal(base.results[0]?.ok, true, JSON.stringify(base.results[0]?.error));
      await session.daemon.saveBaseline('pre-upgrade', base, asked);
      most = 0;

      agent = new Agent({
        settings: Settings.parse({ ntpServer: '127.0.0.1:9' }), role: 'watcher', home, shellEnv, probeTimeoutMs: 3_000, say: (line) => said.push(line),
        intervals: { healthMs: 300, listenersMs: 600_000, clockMs: 600_000, probesMs: 3_600_000, serviceMs: 3_600_000, configMs: 3_600_000 },
      });
      await agent.start();
      await waitUntil('the first look remembered the version', async () => (await session.daemon.daemonRuntime()).gatewayVersion === '2026.9.6');
      await waitUntil('the first full run shown', () => agent!.getState().lastProbe !== null);
      version = '2026.9.7';
      await waitUntil('the change noticed', () => said.some((l) => l.startsWith('noticed gateway 2026.9.6 → 2026.9.7')));
      const compared = () => said.some((l) => / after gateway 2026\.9\.6 → 2026\.9\.7/.test(l));
      const pressed: Array<Promise<ProbeReport>> = [];
      while (!compared()) {
        pressed.push(agent.runProbes());
        await new Promise((r) => setTimeout(r, 100));
        assert.ok(pressed.length < 300, 'the comparison ends');
      }
      const full = await Promise.all(pressed);
      await agent.history();

      assert.equal(most, 1, 'no two probe runs in flight at once');
      const lines = (await readFile(world.files.probeLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { traceId: string; target: string; purpose?: string });
      const checkRuns = [...new Set(lines.filter((l) => l.purpose === 'upgrade-check').map((l) => l.traceId))];
      assert.equal(checkRuns.length, 3, 'the three runs of the comparison, tagged');
      assert.deepEqual([...new Set(lines.filter((l) => l.purpose === 'upgrade-check').map((l) => l.target))], [slowUrl], "the baseline's target only");
      const runtime = DaemonRuntime.parse(await session.daemon.daemonRuntime());
      assert.ok(runtime.lastCheck?.traceId && checkRuns.includes(runtime.lastCheck.traceId), JSON.stringify(runtime.lastCheck));
      assert.ok(full.every((r) => !checkRuns.includes(r.traceId)), '"Run probes now" answers with a run of its own');
      const last = LastProbeRun.parse(JSON.parse(await readFile(world.files.lastProbe, 'utf8')));
      assert.ok(!checkRuns.includes(last.report.traceId), 'the last full run stays the last run');
      assert.equal(last.report.traceId, agent.getState().lastProbe?.traceId);
      assert.ok(last.targets.some((t) => t.kind === 'gateway-health'), JSON.stringify(last.targets.map((t) => t.kind)));

      // Another upgrade, nothing else probing: the comparison's runs leave the last run as it was.
      const lastFile = await readFile(world.files.lastProbe, 'utf8');
      version = '2026.9.8';
      await waitUntil('the second comparison', () => said.some((l) => / after gateway 2026\.9\.7 → 2026\.9\.8/.test(l)));
      assert.equal((await session.daemon.daemonRuntime()).lastCheck?.error, null);
      assert.equal(await readFile(world.files.lastProbe, 'utf8'), lastFile, 'last-probe.json untouched by the comparison');
    } finally {
      await agent?.stop();
      gateway.close();
      slow.close();
      await cleanup();
    }
  });
});
