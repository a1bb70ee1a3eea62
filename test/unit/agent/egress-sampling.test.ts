import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Agent } from '../../../main/agent/agent.ts';
import { EgressObservations } from '../../../main/contract.ts';
import { Settings } from '../../../main/settings.ts';
import { buildWorld } from '../../../main/world.ts';
import { makeHome, writeService } from '../../helpers/world.ts';

const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));

/**
 * Which agent samples egress: a child process plays the gateway (it listens
 * on the service's port, so the real lsof finds it as the gateway's tree)
 * and holds one connection out to a loopback server of this test — the
 * destination a sample keeps.
 */
describe('continuous egress sampling in the checks table', () => {
  const upstream = createServer(() => undefined);
  let gatewayPort: number;
  let upstreamPort: number;
  let child: ChildProcess;
  before(async () => {
    upstreamPort = await listen(upstream);
    const script = `const net = require('node:net'); const s = net.createServer((c) => c.end()).listen(0, '127.0.0.1', () => { net.connect(${upstreamPort}, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n')); });`;
    child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    gatewayPort = await new Promise<number>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  });
  after(() => { child.kill(); upstream.close(); });

  const run = async (role: 'watcher' | 'app', sample: boolean, waitMs: number) => {
    const { home } = await makeHome();
    try {
      await writeService(home, { port: gatewayPort, env: { HOME: home, OPENCLAW_GATEWAY_PORT: String(gatewayPort) } });
      const shellEnv = { HOME: home, PATH: process.env.PATH };
      const agent = new Agent({
        settings: Settings.parse({ ntpServer: '127.0.0.1:9', egress: { sample, intervalSec: 5 } }), role, home, shellEnv, probeTimeoutMs: 500,
        intervals: { healthMs: 60_000, listenersMs: 60_000, clockMs: 60_000, probesMs: 3_600_000, serviceMs: 3_600_000, configMs: 60_000, egressMs: 200 },
      });
      await agent.start();
      const file = buildWorld({ env: shellEnv, home }).files.egressObservations;
      const kept = async () => { try { return EgressObservations.parse(JSON.parse(await readFile(file, 'utf8'))); } catch { return null; } };
      for (const started = Date.now(); Date.now() - started < waitMs && ((await kept())?.samples ?? 0) < 3;) await new Promise((r) => setTimeout(r, 100));
      const found = await kept();
      const failed = agent.getState().findings.filter((f) => f.id === 'agent.egress-sample-failed');
      await agent.stop();
      return { found, failed };
    } finally {
      // The watcher's last state write may land just after stop.
      await rm(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    }
  };

  it('the watcher samples on its interval when egress.sample is on, keeping the connection the tree holds', async () => {
    const { found, failed } = await run('watcher', true, 10_000);
    assert.deepEqual(failed, []);
    assert.ok((found?.samples ?? 0) >= 3, JSON.stringify(found));
    const destination = found!.destinations.find((d) => d.port === upstreamPort);
    assert.ok(destination, JSON.stringify(found));
    assert.equal(destination.connections, 1, 'one socket seen in consecutive samples counts once');
    assert.ok(destination.samples >= 3);
  });

  it('nothing is sampled with the setting off, nor by the app (the watcher is the one that samples)', async () => {
    assert.equal((await run('watcher', false, 1_500)).found, null);
    assert.equal((await run('app', true, 1_500)).found, null);
  });
});
