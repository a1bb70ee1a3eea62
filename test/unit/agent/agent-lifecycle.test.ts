import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { Agent } from '../../../main/agent/agent.ts';
import { createHandlers } from '../../../main/agent/handlers.ts';
import { AgentState, INVOKE } from '../../../main/ipc-contract.ts';
import { Settings } from '../../../main/settings.ts';
import { worldFiles } from '../../../main/world.ts';
import { startSntpServer } from '../../peers/sntp-server.ts';
import { makeHome, writeService } from '../../helpers/world.ts';

const waitUntil = async (check: () => boolean, ms = 5_000) => {
  for (const started = Date.now(); !check() && Date.now() - started < ms;) await new Promise((r) => setTimeout(r, 25));
  assert.ok(check(), 'condition not reached in time');
};

describe('agent lifecycle', () => {
  it('starts, pauses for sleep (no checks at all), resumes at once, and stops leaving nothing running', async () => {
    let hits = 0;
    const gateway = createServer((req, res) => {
      hits++;
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/readyz' ? '{"ready":true,"failing":[],"uptimeMs":5000}' : req.url === '/startupz' ? '{"ok":true,"version":"2026.9.6"}' : '{"ok":true}');
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    const port = (gateway.address() as { port: number }).port;
    const sntp = await startSntpServer({ offsetMs: 0 });
    const { home, cleanup } = await makeHome();
    try {
      await writeService(home, { port, env: { HOME: home, OPENCLAW_GATEWAY_PORT: String(port), OPENAI_API_KEY: 'sk-lifecycle-0123456789abcdef' } });
      // The settings file the agent was started from, as the app reads it: a save applies to it.
      const settingsPath = worldFiles({ HOME: home }, home, process.platform).settings;
      await mkdir(dirname(settingsPath), { recursive: true });
      await writeFile(settingsPath, JSON.stringify({ ntpServer: `127.0.0.1:${sntp.port}` }));
      const agent = new Agent({ settings: Settings.parse({ ntpServer: `127.0.0.1:${sntp.port}` }), home, shellEnv: { HOME: home, PATH: process.env.PATH }, intervals: { healthMs: 100, listenersMs: 60_000, clockMs: 60_000, probesMs: 3_600_000, serviceMs: 3_600_000 } });
      const states: AgentState[] = [];
      agent.on('state', (s: AgentState) => states.push(s));
      await agent.start();
      await waitUntil(() => states.at(-1)?.lines.gateway.state === 'ok' && states.at(-1)?.clock !== null);
      const state = AgentState.parse(agent.getState());
      assert.equal(state.gatewayInfo?.version, '2026.9.6');
      assert.equal(state.firstRun, true);
      assert.equal(state.clock?.method, 'sntp');
      assert.ok(!JSON.stringify(state).includes('sk-lifecycle-0123456789abcdef'));

      await agent.pause();
      assert.equal(agent.getState().paused, true);
      const paused = hits;
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(hits, paused, 'no health checks while asleep');
      await agent.resume();
      await waitUntil(() => hits > paused);
      assert.equal(agent.getState().paused, false);

      const handlers = createHandlers(agent);
      const { revision } = await handlers['settings:get']({});
      const patched = await handlers['settings:set'](INVOKE['settings:set'].request.parse({ revision, clockWarnMs: 2_000 }));
      assert.equal(patched.clockWarnMs, 2_000);
      assert.equal(patched.ntpServer, `127.0.0.1:${sntp.port}`, 'a patch keeps the other settings');
      assert.equal((await handlers['wizard:complete']({})).firstRun, false);

      await agent.stop();
      const stopped = hits;
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(hits, stopped, 'no checks after stop');
    } finally {
      gateway.close();
      await sntp.stop();
      await cleanup();
    }
  });
});
