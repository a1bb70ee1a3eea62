import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { Agent, type AgentIntervals } from '../../../main/agent/agent.ts';
import { createHandlers } from '../../../main/agent/handlers.ts';
import { INVOKE } from '../../../main/ipc-contract.ts';
import { Settings } from '../../../main/settings.ts';
import { openSettingsFile } from '../../../main/store/settings-file.ts';
import { worldFiles } from '../../../main/world.ts';
import { startSntpServer } from '../../peers/sntp-server.ts';
import { makeHome, writeService } from '../../helpers/world.ts';

const waitUntil = async (check: () => boolean, ms = 8_000) => {
  for (const started = Date.now(); !check() && Date.now() - started < ms;) await new Promise((r) => setTimeout(r, 20));
  assert.ok(check(), 'condition not reached in time');
};

/** A gateway whose /health answers the health check at once, or holds it until released: a check in flight for as long as the test wants. Others asking /health (the edges look) are answered and not counted. */
async function holdingGateway() {
  const held: Array<() => void> = [];
  const gateway = { hits: 0, inFlight: 0, most: 0, hold: false, release: () => { for (const done of held.splice(0)) done(); } };
  const server = createServer((req, res) => {
    const answer = () => {
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/readyz' ? '{"ready":true,"failing":[],"uptimeMs":5000}' : req.url === '/startupz' ? '{"ok":true,"version":"2026.9.6"}' : '{"ok":true}');
    };
    if (req.url !== '/health' || req.headers['user-agent'] !== 'clawbar-health/0.1') return answer();
    gateway.hits++;
    gateway.inFlight++;
    gateway.most = Math.max(gateway.most, gateway.inFlight);
    const done = () => { gateway.inFlight--; answer(); };
    if (!gateway.hold) return done();
    held.push(done);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { gateway, port: (server.address() as { port: number }).port, close: () => server.close() };
}

type Gateway = Awaited<ReturnType<typeof holdingGateway>>['gateway'];

/** A holding gateway behind a service written in a fresh home, and an SNTP server; every agent made in it is stopped after. */
async function inWorld(test: (w: { gateway: Gateway; home: string; ntp: string; agent: (settings: Settings, intervals: Partial<AgentIntervals>) => Agent }) => Promise<void>): Promise<void> {
  const { gateway, port, close } = await holdingGateway();
  const sntp = await startSntpServer({ offsetMs: 0 });
  const { home, cleanup } = await makeHome();
  const agents: Agent[] = [];
  try {
    await writeService(home, { port, env: { HOME: home, OPENCLAW_GATEWAY_PORT: String(port) } });
    await test({
      gateway, home, ntp: `127.0.0.1:${sntp.port}`,
      agent: (settings, intervals) => { const made = new Agent({ settings, home, shellEnv: { HOME: home, PATH: process.env.PATH }, intervals }); agents.push(made); return made; },
    });
  } finally {
    gateway.release();
    for (const made of agents) await made.stop();
    close();
    await sntp.stop();
    await cleanup();
  }
}

describe('agent: new settings', () => {
  it('are in force at once while a check is in flight: the reply does not wait for it, and the check is joined, not run twice', () => inWorld(async ({ gateway, ntp, agent: make }) => {
    // Health every 200 ms from the options; listeners, metrics and the gateway log follow listenerIntervalSec from the settings.
    const agent = make(Settings.parse({ ntpServer: ntp }), { healthMs: 200, clockMs: 60_000, probesMs: 3_600_000, serviceMs: 3_600_000 });
    await agent.start();
    await waitUntil(() => agent.getState().lines.gateway.state === 'ok');

    gateway.hold = true;
    await waitUntil(() => gateway.inFlight === 1);
    const lastSample = () => agent.healthHistory().at(-1)?.at;
    const samples = lastSample();
    const settings = await agent.updateSettings({ clockWarnMs: 2_000, listenerIntervalSec: 600 });
    // Had the reply waited for the held check, that check would have ended (its 5 s timeout) and left a sample.
    assert.equal(lastSample(), samples, 'the new settings answered while the health check was still in flight');
    assert.equal(gateway.inFlight, 1);
    assert.equal(settings.clockWarnMs, 2_000);
    assert.equal(agent.settings.listenerIntervalSec, 600);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(gateway.most, 1, 'the health check in flight was joined, not started again beside it');

    gateway.hold = false;
    gateway.release();
    const before = gateway.hits;
    await waitUntil(() => gateway.hits >= before + 2);
    await agent.stop();
    const stopped = gateway.hits;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(gateway.hits, stopped, 'no checks after stop');
    assert.equal(gateway.most, 1);
  }));

  it('move a loop whose interval changed to its new interval, after a first look at once', { timeout: 30_000 }, () => inWorld(async ({ gateway, ntp, agent: make }) => {
    const agent = make(Settings.parse({ ntpServer: ntp, healthIntervalSec: 3600 }), { listenersMs: 60_000, clockMs: 60_000, probesMs: 3_600_000, serviceMs: 3_600_000 });
    await agent.start();
    await waitUntil(() => gateway.hits >= 1);
    await new Promise((r) => setTimeout(r, 300));
    const before = gateway.hits;
    await agent.updateSettings({ healthIntervalSec: 5 });
    await waitUntil(() => gateway.hits >= before + 1, 2_000);
    await waitUntil(() => gateway.hits >= before + 2, 7_000);
    await agent.stop();
    assert.equal(gateway.most, 1);
  }));

  it('in the app as in the watcher, come from the settings file when an editor changes it', { timeout: 30_000 }, () => inWorld(async ({ home, ntp, agent: make }) => {
    const path = worldFiles({ HOME: home }, home, process.platform).settings;
    const file = { ntpServer: ntp, watch: { configPollSec: 1, configDebounceSec: 0 } };
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify(file));
    const agent = make(Settings.parse(file), { listenersMs: 60_000, clockMs: 60_000, probesMs: 3_600_000, serviceMs: 3_600_000 });
    await agent.start();
    assert.equal(agent.getState().owner?.kind, 'app');
    await new Promise((r) => setTimeout(r, 1_500));
    await writeFile(path, JSON.stringify({ ...file, clockWarnMs: 2_500, listenerExceptions: [{ port: 18790, reason: 'tailnet' }] }));
    await waitUntil(() => agent.settings.clockWarnMs === 2_500, 10_000);
    assert.deepEqual(agent.settings.listenerExceptions, [{ port: 18790, reason: 'tailnet' }]);
  }));

  it('from a save whose write fails are not in force: the running settings stay as they were', async () => {
    const { home, cleanup } = await makeHome();
    const agent = new Agent({ settings: Settings.parse({}), home, shellEnv: { HOME: home } });
    try {
      const file = openSettingsFile(agent.session.world.files.settings);
      const failing = { path: file.path, read: () => file.read(), write: async () => { throw new Error('EIO: the disk refused the write'); } };
      const handlers = createHandlers(agent, { settings: failing });
      const { revision } = await handlers['settings:get']({});
      const before = agent.settings;
      await assert.rejects(handlers['settings:set'](INVOKE['settings:set'].request.parse({ revision, healthIntervalSec: 45 })), /EIO: the disk refused the write/);
      assert.equal(agent.settings, before);
      assert.equal(agent.settings.healthIntervalSec, 60);
    } finally {
      await agent.stop();
      await cleanup();
    }
  });
});
