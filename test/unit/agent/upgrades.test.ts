import assert from 'node:assert/strict';
import { readFile, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DaemonRuntime, type ProbeReport, type ProbeResult, type ProbeTarget } from '../../../main/contract.ts';
import { UpgradeWatch, type UpgradeLook } from '../../../main/agent/upgrades.ts';
import type { Notice } from '../../../main/ipc-contract.ts';
import { Session } from '../../../main/session/session.ts';
import { buildWorld } from '../../../main/world.ts';
import { makeHome, writeService } from '../../helpers/world.ts';

const URL_A = 'https://api.example.com/';

/** A run of one target whose TLS handshake took `tlsMs`, as the probe child would report it. */
function report(tlsMs: number, startedAt: string, traceId: string): ProbeReport {
  const result: ProbeResult = {
    target: URL_A, name: null, kind: 'custom', ok: true, layer: null, error: null, phases: { dnsMs: 2, connectMs: 20, proxyConnectMs: null, tlsMs, ttfbMs: 40, totalMs: 62 + tlsMs },
    via: 'direct', route: { proxy: null, rule: 'direct' }, family: 4, address: '203.0.113.7', dns: null, families: [], proxyStatus: null,
    tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', subject: 'CN=api.example.com', issuer: 'CN=Example CA', san: [], validFrom: null, validTo: null, daysToExpiry: 60, authorized: true, authorizationError: null, servername: 'api.example.com' },
    http: { status: 200, date: null, server: null }, websocket: null, ready: null, explanation: null, fix: null, notes: [],
  };
  return {
    schema: 'clawbar.probe/1', traceId, startedAt, overall: 'ok', environment: { source: 'daemon', plistPath: null },
    runtime: { execPath: process.execPath, nodeVersion: process.version, openssl: '3', daemonNode: null, note: null },
    results: [result], summary: { total: 1, ok: 1, failed: 0, byLayer: {}, durationMs: 1 }, findings: [],
  };
}

/**
 * The agent's upgrade watch with a real session on a temporary HOME (its
 * store, baselines and probe log) and a stand-in for the probe suite whose
 * TLS time the test sets: the store keeps the runs as the real suite's are kept.
 */
describe('the comparison after a gateway or node upgrade', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let minute = 0;
  const now = () => new Date(Date.UTC(2026, 0, 1, 10, minute));
  let tlsMs = 30;
  const probed: Array<ProbeTarget[] | null> = [];
  const notices: Notice[] = [];
  const said: string[] = [];
  let runtimeFile: string;
  const nodes: string[] = [];

  /** A watcher (re)started: a new session and watch over the same HOME. */
  function start() {
    const session = new Session(buildWorld({ env: { HOME: home, PATH: process.env.PATH }, platform: 'linux', now }));
    runtimeFile = session.world.files.daemonRuntime;
    const watch = new UpgradeWatch({
      session, notify: (n) => notices.push(n), say: (line) => said.push(line),
      probe: async (targets) => {
        probed.push(targets);
        const run = report(tlsMs, new Date(now().getTime() + probed.length * 1000).toISOString(), `run-${probed.length}`);
        await session.keeper.keepProbeRun(run, targets ?? [], { log: true, lastRun: true });
        return run;
      },
    });
    return { session, watch };
  }
  const look = (watch: UpgradeWatch, over: Partial<UpgradeLook> = {}) => { minute++; return watch.look({ gatewayVersion: '2026.9.6', nodePath: nodes[0]!, gatewayUp: true, ...over }); };

  before(async () => {
    ({ home, cleanup } = await makeHome());
    await writeService(home, { env: { HOME: home, PATH: '/usr/bin:/bin', OPENCLAW_LAUNCHD_LABEL: 'ai.openclaw.gateway' } });
    for (const name of ['node-a', 'node-b']) {
      nodes.push(join(home, name));
      await symlink(process.execPath, join(home, name));
    }
  });
  after(() => cleanup());

  it('first sight only remembers; a new version waits for a quiet look and an answering gateway; without a baseline the suite runs once', async () => {
    const { watch } = start();
    await look(watch);
    await look(watch);
    assert.deepEqual([probed.length, said], [0, []]);
    await look(watch, { gatewayVersion: '2026.9.7' });
    assert.match(said.at(-1)!, /^noticed gateway 2026\.9\.6 → 2026\.9\.7;/);
    await look(watch, { gatewayVersion: null, gatewayUp: false });
    assert.equal(probed.length, 0, 'not while the gateway does not answer');
    await look(watch, { gatewayVersion: '2026.9.7' });
    assert.deepEqual(probed, [null], 'no baseline: the usual suite, once');
    assert.match(said.at(-1)!, /^gateway 2026\.9\.6 → 2026\.9\.7: no probe baseline to compare with/);
    const kept = DaemonRuntime.parse(JSON.parse(await readFile(runtimeFile, 'utf8')));
    assert.deepEqual([kept.gatewayVersion, kept.pending, kept.lastCheck?.baseline, kept.lastCheck?.traceId], ['2026.9.7', null, null, 'run-1']);
    assert.equal(watch.finding(), null);
    const written = (await stat(runtimeFile)).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await look(watch, { gatewayVersion: '2026.9.7' });
    assert.equal(probed.length, 1, 'compared once');
    assert.equal((await stat(runtimeFile)).mtimeMs, written, 'a look that changes nothing writes nothing');
  });

  it('a restarted watcher does not compare again; a new node binary is compared with the newest baseline, three runs, and a slower edge is a regression', async () => {
    const { session, watch } = start();
    await session.daemon.saveBaseline('pre-upgrade', report(30, now().toISOString(), 'baseline'), [{ url: URL_A, kind: 'custom', name: null, sni: null, pin: null }]);
    await look(watch, { gatewayVersion: '2026.9.7' });
    assert.equal(probed.length, 1, 'nothing new since the last watcher looked');
    tlsMs = 300;
    await look(watch, { gatewayVersion: '2026.9.7', nodePath: nodes[1]! });
    await look(watch, { gatewayVersion: '2026.9.7', nodePath: nodes[1]! });
    assert.equal(probed.length, 4);
    assert.deepEqual(probed.slice(1).map((t) => t?.map((x) => x.url)), [[URL_A], [URL_A], [URL_A]], "the baseline's targets, as asked");
    const line = said.at(-1)!;
    assert.ok(line.startsWith(`probe regression after node ${nodes[0]} → ${nodes[1]} against 'pre-upgrade': ${URL_A}: tls 30 → 300 ms (median of 3)`), line);
    assert.deepEqual(notices.map((n) => [n.id, n.view]), [['probes.upgrade-regression', 'probes']]);
    assert.match(notices[0]!.title, /^Probe regression after node .* → .*: 1 target against baseline 'pre-upgrade'$/);
    const finding = watch.finding();
    assert.deepEqual([finding?.id, finding?.severity, finding?.remedy?.command], ['probes.upgrade-regression', 'warn', 'clawbar probe --compare pre-upgrade']);
    const logged = (await readFile(session.world.files.watchLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(logged.map((l) => [l.event, l.baseline, l.regressions]), [['upgrade-check', null, 0], ['upgrade-check', 'pre-upgrade', 1]]);
  });

  it('the finding stands across a restart until a newer baseline is saved; a change while no watcher ran is not missed', async () => {
    const first = start();
    assert.equal(first.watch.finding(), null, 'known only after its first look');
    await look(first.watch, { gatewayVersion: '2026.9.7', nodePath: nodes[1]! });
    assert.equal(first.watch.finding()?.id, 'probes.upgrade-regression');
    assert.equal(probed.length, 4);
    await first.session.daemon.saveBaseline('post-upgrade', report(300, now().toISOString(), 'accepted'), [{ url: URL_A, kind: 'custom', name: null, sni: null, pin: null }]);
    await look(first.watch, { gatewayVersion: '2026.9.7', nodePath: nodes[1]! });
    assert.equal(first.watch.finding(), null, 'the operator took the new numbers');

    const second = start();
    await look(second.watch, { gatewayVersion: '2026.9.8', nodePath: nodes[1]! });
    assert.match(said.at(-1)!, /^noticed gateway 2026\.9\.7 → 2026\.9\.8;/);
    await look(second.watch, { gatewayVersion: '2026.9.8', nodePath: nodes[1]! });
    assert.equal(probed.length, 7);
    assert.match(said.at(-1)!, /^no probe regression after gateway 2026\.9\.7 → 2026\.9\.8 against 'post-upgrade' \(3 runs\)$/);
  });
});
