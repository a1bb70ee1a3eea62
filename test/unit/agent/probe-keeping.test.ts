import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Agent } from '../../../main/agent/agent.ts';
import { readyProbeChild } from '../../../main/probes/runner.ts';
import { Settings } from '../../../main/settings.ts';
import { QUIET_CONFIG } from '../../peers/openclaw.ts';
import { startSntpServer } from '../../peers/sntp-server.ts';
import { makeHome, writeService } from '../../helpers/world.ts';

const waitUntil = async (what: string, check: () => boolean | Promise<boolean>, ms = 20_000) => {
  for (const started = Date.now(); Date.now() - started < ms; await new Promise((r) => setTimeout(r, 50))) if (await check()) return;
  assert.fail(`${what} not reached in time`);
};

describe('a probe run is shown at once and kept after', () => {
  it('a run that cannot be kept fails its check (a finding); the next kept run clears it; "Run probes now" still answers', async () => {
    const gateway = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/readyz' ? '{"ready":true,"failing":[],"uptimeMs":5000}' : '{"ok":true}');
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    const port = (gateway.address() as { port: number }).port;
    const sntp = await startSntpServer({ offsetMs: 0 });
    const { home, cleanup } = await makeHome();
    let agent: Agent | null = null;
    try {
      const service = await writeService(home, { port, env: { HOME: home, OPENCLAW_GATEWAY_PORT: String(port) } });
      // The managed proxy is dead on loopback: the config's public hosts go nowhere beyond this machine.
      await writeFile(join(service.stateDir, 'openclaw.json'), JSON.stringify({ ...QUIET_CONFIG, gateway: { port, bind: 'loopback', auth: { mode: 'none' } } }));
      const probeLog = join(home, '.local', 'state', 'clawbar', 'logs', 'probes.jsonl');
      await mkdir(probeLog, { recursive: true }); // a folder where the log goes: the run cannot be kept
      agent = new Agent({ settings: Settings.parse({ ntpServer: `127.0.0.1:${sntp.port}` }), home, probeTimeoutMs: 2_000, shellEnv: { HOME: home, PATH: process.env.PATH }, intervals: { healthMs: 60_000, listenersMs: 600_000, clockMs: 600_000, probesMs: 1_500, serviceMs: 3_600_000, configMs: 3_600_000 } });
      await agent.start();
      const failed = () => agent!.getState().findings.find((f) => f.id === 'agent.probes-failed');
      await waitUntil('the probes check failing', () => failed() !== undefined);
      assert.match(failed()!.title, /the run was not kept: EISDIR/);
      assert.ok(agent.getState().lastProbe, 'the run itself is shown');

      const report = await agent.runProbes();
      assert.ok(report.results.some((r) => r.kind === 'gateway-health' && r.ok), '"Run probes now" answers with its run');

      await rm(probeLog, { recursive: true });
      await waitUntil('a kept run', async () => (await readFile(probeLog, 'utf8').catch(() => '')).includes('"event":"probe"') && failed() === undefined);
      const history = await agent.history();
      assert.ok(history.probes.length > 0, 'history reads the kept runs');
    } finally {
      await agent?.stop();
      gateway.close();
      await sntp.stop();
      await cleanup();
    }
  });
});

describe('a probe child kept ready for "Run probes now"', () => {
  it('the app keeps one in the daemon\'s world; the watcher, whose runs nobody waits on, keeps none', async () => {
    const sntp = await startSntpServer({ offsetMs: 0 });
    const { home, cleanup } = await makeHome();
    try {
      // Nothing answers on port 9: this is about the service being read, not about the gateway.
      await writeService(home, { port: 9, env: { HOME: home, OPENCLAW_GATEWAY_PORT: '9' } });
      for (const role of ['app', 'watcher'] as const) {
        const agent = new Agent({ role, settings: Settings.parse({ ntpServer: `127.0.0.1:${sntp.port}` }), home, probeTimeoutMs: 2_000, shellEnv: { HOME: home, PATH: process.env.PATH }, intervals: { healthMs: 3_600_000, listenersMs: 3_600_000, clockMs: 3_600_000, probesMs: 3_600_000, serviceMs: 3_600_000, configMs: 3_600_000 } });
        try {
          await agent.loadService();
          const child = readyProbeChild();
          if (role === 'app') assert.ok(child?.waiting, 'the app has a child waiting');
          else assert.equal(child, null, 'the watcher has none');
        } finally {
          await agent.stop();
        }
        assert.equal(readyProbeChild(), null, `stopping the ${role} leaves no child`);
      }
    } finally {
      await sntp.stop();
      await cleanup();
    }
  });
});
