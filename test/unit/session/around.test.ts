import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import type { HealthReport, ListenersReport } from '../../../main/contract.ts';
import { loadServiceEnvironment } from '../../../main/service/environment.ts';
import { AroundLook } from '../../../main/session/around.ts';
import type { Executor } from '../../../main/system/exec.ts';
import { buildWorld } from '../../../main/world.ts';
import { makeHome, writeService } from '../../helpers/world.ts';

/** launchd has no such job; every other command is missing, as on a bare Linux box. */
const exec: Executor = async (command, args) => ({
  command, args, available: command === 'launchctl', code: command === 'launchctl' ? 113 : null, signal: null, stdout: '',
  stderr: command === 'launchctl' ? 'Bad request.\nCould not find service "ai.openclaw.gateway" in domain for user gui: 501\n' : '', timedOut: false, truncated: false, durationMs: 1,
});

const health = (state: HealthReport['state']): HealthReport => ({ state, url: 'http://127.0.0.1:18789/health', latencyMs: null, p95Ms: null, failing: [], status: null, error: 'ECONNREFUSED', version: null, uptimeMs: null, consecutiveFailures: state === 'down' ? 2 : 0 });
const listeners: ListenersReport = { state: 'ok', items: [], source: 'lsof', partial: null, firewall: { state: 'unknown', detail: null }, baseline: { path: '', savedAt: null, changes: [] }, findings: [] };

/** A look around the service written in `home`, counting the commands its looks run (an edges look runs several). */
async function countedLook(home: string) {
  await writeService(home, { port: 18789 });
  let count = 0;
  const counting: Executor = (command, args, options) => { count++; return exec(command, args, options); };
  const world = buildWorld({ env: { HOME: home, PATH: '/nonexistent' }, exec: counting, platform: 'darwin' });
  const service = await loadServiceEnvironment({ home, systemRoot: '', exec, shellEnv: world.env, platform: 'darwin' });
  return { look: new AroundLook(world, async () => null), service, calls: () => count };
}

describe("the app's look around (edges and the down verdict)", () => {
  it('hands out nothing before a look, looks only for a caller that asked, and keeps a verdict only while the gateway is down', async () => {
    const { home, cleanup } = await makeHome();
    try {
      await writeService(home, { port: 18789 });
      const world = buildWorld({ env: { HOME: home, PATH: '/nonexistent' }, exec, platform: 'darwin' });
      const service = await loadServiceEnvironment({ home, systemRoot: '', exec, shellEnv: world.env, platform: 'darwin' });
      const look = new AroundLook(world, async () => null);
      await look.refresh(listeners);
      assert.deepEqual(look.get({ service, health: health('down') }), { edges: null, verdict: null }, 'no look before anyone asked');
      await look.refresh(listeners);
      const down = look.get({ service, health: health('down') });
      assert.equal(down.verdict?.cause, 'not-loaded');
      assert.equal(down.edges?.schema, 'clawbar.edges/1');
      assert.ok(down.edges!.unavailable.some((u) => u.startsWith('processes:')), 'a missing ps is reported, not thrown');
      assert.equal(look.get({ service, health: health('ok') }).verdict, null);
      await look.refresh(listeners);
      assert.equal(look.get({ service, health: health('down') }).verdict, null, 'the verdict is asked again after the gateway went down again');
    } finally {
      await cleanup();
    }
  });

  it('asks the edges again when the gateway starts answering, not at every scan', async () => {
    const { home, cleanup } = await makeHome();
    try {
      const { look, service, calls } = await countedLook(home);
      const looked = async (state: HealthReport['state'] | null) => {
        look.get({ service, health: state && health(state) });
        const before = calls();
        await look.refresh(listeners);
        return calls() > before;
      };
      assert.equal(await looked(null), true, 'the first scan looks (no health yet, as at start-up)');
      assert.equal(await looked(null), false, 'nothing changed: no look');
      assert.equal(await looked('ok'), true, 'the gateway answers now: an edge asked before may answer now');
      assert.equal(await looked('degraded'), false, 'still answering, only slower: no look');
      assert.equal(await looked('ok'), false);
    } finally {
      await cleanup();
    }
  });

  it('an edge that ran out of time is said so, and the next scan asks it again', async () => {
    const { home, cleanup } = await makeHome();
    // A listener that takes connections and never answers, as a proxy on a busy Mac may seem.
    const held = new Set<Socket>();
    const silent = createServer((socket) => { held.add(socket); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const { look, service, calls } = await countedLook(home);
      const slow: ListenersReport = { ...listeners, items: [{ address: '127.0.0.1', port, family: 4, process: 'nginx', pid: 4242, user: null, exposure: 'loopback', network: null, severity: 'ok', note: null }] };
      look.get({ service, health: health('ok') });
      await look.refresh(slow);
      const edges = look.get({ service, health: health('ok') }).edges!;
      assert.deepEqual(edges.proxies, []);
      assert.ok(edges.unavailable.includes(`edge nginx :${port}: no answer to /health within 800 ms`), JSON.stringify(edges.unavailable));
      const before = calls();
      await look.refresh(slow);
      assert.ok(calls() > before, 'asked again at the next scan, though nothing changed');
    } finally {
      for (const socket of held) socket.destroy();
      silent.close();
      await cleanup();
    }
  });
});
