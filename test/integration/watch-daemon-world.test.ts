import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build as buildPlist, parse as parsePlist } from 'plist';
import { Agent, type AgentIntervals } from '../../main/agent/agent.ts';
import { AllowlistExport, DaemonRuntime, EgressObservations, LastProbeRun, ProbeReport } from '../../main/contract.ts';
import type { Notice } from '../../main/ipc-contract.ts';
import { Settings } from '../../main/settings-schema.ts';
import { gatewayWorld, type GatewayWorld } from '../helpers/fix-world.ts';
import { jsonLines, watchPaths } from '../helpers/watch-world.ts';
import { makeHome } from '../helpers/world.ts';
import { startLatencyRelay, type RunningRelay } from '../peers/latency-relay.ts';
import { startNginx } from '../peers/nginx.ts';
import { NODE24, QUIET_CONFIG } from '../peers/openclaw.ts';
import { waitFor } from '../peers/peer.ts';
import { makePki } from '../peers/pki.ts';

/** The version the service's node reports, as clawbar asks it. */
const NODE24_VERSION = execFileSync(NODE24, ['--version'], { env: {} }).toString().trim();
const model = { id: 'm1', name: 'M1', input: ['text'], contextWindow: 32000, maxTokens: 1000 };
/** Each way, per chunk: a TLS 1.3 handshake through the relay then takes two of them more than on loopback. */
const SLOW_MS = 150;
/** Every schedule but the ones under test far away; the health check (and with it the upgrade look) every 2 s. */
const QUIET: Partial<AgentIntervals> = { healthMs: 2_000, listenersMs: 600_000, clockMs: 600_000, probesMs: 3_600_000, serviceMs: 600_000, configMs: 600_000 };

/**
 * The watcher's two background duties against the real gateway, installed by
 * OpenClaw's installer and started through the launchctl stand-in: sampling
 * where it connects (its providers at nginx on loopback, reached by real
 * agent turns), and comparing the probe baseline by itself when the node
 * binary the service names or the gateway's version changes (an nginx TLS
 * edge behind a loopback delay relay that is slowed in between).
 */
describe("the watcher's egress sampling and upgrade comparison, against the real gateway", { timeout: 600_000 }, () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let gw: GatewayWorld;
  let nginx: Awaited<ReturnType<typeof startNginx>>;
  let relay: RunningRelay;
  let edgeUrl: string;
  let agent: Agent | null = null;
  const said: string[] = [];
  const notices: Notice[] = [];

  const watcher = (settings: object, intervals: Partial<AgentIntervals>) => {
    agent = new Agent({
      settings: Settings.parse({ ntpServer: '127.0.0.1:9', ...settings }), role: 'watcher', home: gw.world, shellEnv: gw.env, plistPath: gw.svc.plistPath,
      probeTimeoutMs: 5_000, intervals: { ...QUIET, ...intervals }, say: (line) => said.push(line),
    });
    agent.on('notify', (notice) => notices.push(notice));
    return agent;
  };
  const stopWatcher = async () => { await agent?.stop(); agent = null; };
  /** One agent turn through the gateway's OpenAI-compatible endpoint: the gateway then calls the provider (nginx answers 404). */
  const chat = (modelRef: string) => fetch(`http://127.0.0.1:${gw.port}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-openclaw-model': modelRef },
    body: JSON.stringify({ model: 'openclaw', messages: [{ role: 'user', content: 'hi' }] }), signal: AbortSignal.timeout(90_000),
  }).then((r) => r.status, () => 0);
  const paths = () => ({ egress: join(watchPaths(gw.world).state, 'egress-observations.json'), runtime: join(watchPaths(gw.world).state, 'daemon-runtime.json'), watchLog: watchPaths(gw.world).watchLog });
  const kept = async () => EgressObservations.parse(JSON.parse(await readFile(paths().egress, 'utf8').catch(() => '{"schema":"clawbar.egress/1","since":null,"until":null,"samples":0,"destinations":[]}')));
  const upgradeChecks = async () => (await jsonLines(paths().watchLog)).filter((l) => l.event === 'upgrade-check');

  before(async () => {
    ({ home, cleanup } = await makeHome());
    const dir = async (name: string) => { await mkdir(join(home, name), { recursive: true }); return join(home, name); };
    const pki = await makePki(await dir('pki'), { caName: 'Edge CA' });
    const leaf = await pki.issue('edge', { sans: ['localhost', 'IP:127.0.0.1'] });
    nginx = await startNginx({ dir: await dir('nginx'), vhosts: [
      { name: 'provider', serverNames: ['localhost'], listen: 'both' },
      { name: 'unlisted', serverNames: ['localhost'], listen: 'both' },
      { name: 'edge', serverNames: ['localhost'], cert: leaf.chain, key: leaf.key },
    ] });
    relay = await startLatencyRelay({ upstreamPort: nginx.port('edge'), delayMs: 0 });
    edgeUrl = `https://127.0.0.1:${relay.port}/`;
    gw = await gatewayWorld(join(home, 'world'), {
      // The installer copies NODE_EXTRA_CA_CERTS into the env file: the daemon (and its probes) trust the edge.
      installEnv: { NODE_EXTRA_CA_CERTS: pki.caCert },
      config: {
        gateway: { mode: 'local', bind: 'loopback', auth: { mode: 'none' }, http: { endpoints: { chatCompletions: { enabled: true } } } },
        models: {
          ...QUIET_CONFIG.models,
          providers: {
            provider: { baseUrl: `http://localhost:${nginx.port('provider')}/v1`, apiKey: 'sk-provider-0123456789', api: 'openai-completions', models: [model] },
            unlisted: { baseUrl: `http://localhost:${nginx.port('unlisted')}/v1`, apiKey: 'sk-unlisted-0123456789', api: 'openai-completions', models: [model] },
          },
        },
        agents: { defaults: { model: { primary: 'provider/m1' } } },
      },
    });
    await writeFile(join(gw.world, '.config', 'clawbar', 'allowlist.yaml'), `egress:\n  - { host: localhost, port: ${nginx.port('provider')}, tls: false, owner: ml-platform }\n`);
  });
  after(async () => {
    await stopWatcher();
    await gw?.standin.stopAll();
    await relay?.stop();
    await nginx?.stop();
    await cleanup();
  });

  it('with egress.sample on, the watcher keeps where the gateway connects, named; report --allowlist shows it; with it off nothing is sampled', async () => {
    const running = watcher({ egress: { sample: true, intervalSec: 5 } }, { egressMs: 1_000 });
    await running.start();
    assert.match(String(await chat('provider/m1')), /^[1-5]\d\d$/, 'the turn got an answer');
    await waitFor('the provider connection in the kept observations', async () => (await kept()).destinations.some((d) => d.port === nginx.port('provider')), 30_000, 500);
    const seen = (await kept()).destinations.find((d) => d.port === nginx.port('provider'))!;
    assert.deepEqual([seen.names, seen.attribution], [['localhost'], 'allowlist']);
    assert.ok(seen.connections >= 1 && seen.samples >= seen.connections, JSON.stringify(seen));
    assert.ok(!running.getState().findings.some((f) => f.id === 'agent.egress-sample-failed'));

    const ticket = AllowlistExport.parse(JSON.parse((await gw.cli(['report', '--allowlist', '--json'])).stdout));
    assert.deepEqual(ticket.observed?.allowlistedSeen.map((r) => [r.host, r.port]), [['localhost', nginx.port('provider')]]);
    assert.ok((ticket.observed?.allowlistedSeen[0]?.connections ?? 0) >= 1);

    await running.updateSettings({ egress: { sample: false, intervalSec: 5 } });
    const before = await kept();
    const requests = (await readFile(nginx.accessLog, 'utf8')).split('\n').length;
    await chat('unlisted/m1');
    await waitFor('the unlisted provider reached', async () => (await readFile(nginx.accessLog, 'utf8')).split('\n').length > requests, 30_000, 500);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const after = await kept();
    assert.equal(after.samples, before.samples, 'no sample while egress.sample is off');
    assert.ok(!after.destinations.some((d) => d.port === nginx.port('unlisted')));
    await stopWatcher();
  });

  it('a new node binary under the service runs the comparison with the newest baseline by itself: the slowed edge is a regression (log, line, notice, finding)', async () => {
    const saved = await gw.cli(['probe', '--target', edgeUrl, '--save-baseline', 'pre-upgrade', '--json']);
    assert.equal(saved.code, 0, saved.stderr);
    assert.equal(ProbeReport.parse(JSON.parse(saved.stdout)).results[0]!.ok, true);
    const first = DaemonRuntime.parse(JSON.parse(await readFile(paths().runtime, 'utf8')));
    assert.deepEqual([first.gatewayVersion, first.node?.path, first.node?.version, first.pending], ['2026.9.6', NODE24, NODE24_VERSION, null], 'the first watcher remembered what it saw');

    const running = watcher({}, { serviceMs: 2_000 });
    await running.start();
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    assert.deepEqual(await upgradeChecks(), [], 'a restarted watcher compares nothing: nothing changed');

    await relay.stop();
    relay = await startLatencyRelay({ upstreamPort: nginx.port('edge'), delayMs: SLOW_MS, port: relay.port });
    // The same node, by another path: what a Homebrew or nvm switch looks like from the plist.
    const link = join(gw.world, 'node-24');
    await symlink(NODE24, link);
    const job = parsePlist(await readFile(gw.svc.plistPath, 'utf8')) as { ProgramArguments: string[] };
    assert.equal(job.ProgramArguments[3], NODE24);
    job.ProgramArguments[3] = link;
    await writeFile(gw.svc.plistPath, buildPlist(job as never));
    await gw.reload();

    await waitFor('the comparison in the watch log', async () => (await upgradeChecks()).length > 0, 120_000, 500);
    const [check] = await upgradeChecks();
    assert.deepEqual([check!.baseline, check!.error, (check!.changes as unknown[]).length], ['pre-upgrade', null, 1]);
    assert.ok((check!.regressions as number) >= 1, JSON.stringify(check));
    assert.deepEqual(check!.changes, [{ what: 'node', before: { path: NODE24, version: NODE24_VERSION }, after: { path: link, version: NODE24_VERSION } }]);
    const line = said.find((l) => l.startsWith('probe regression after'));
    assert.ok(line?.startsWith(`probe regression after node ${NODE24} → ${link} against 'pre-upgrade': ${edgeUrl}: tls `), said.join('\n'));
    assert.ok(said.some((l) => l.startsWith(`noticed node ${NODE24} → ${link}`)), said.join('\n'));
    assert.deepEqual(notices.filter((n) => n.id === 'probes.upgrade-regression').length, 1);
    const finding = running.getState().findings.find((f) => f.id === 'probes.upgrade-regression');
    assert.ok(finding, JSON.stringify(running.getState().findings.map((f) => f.id)));
    assert.match(finding.detail!, /tls \d+(\.\d+)? → \d+(\.\d+)? ms \(median of 3\)/);
    assert.equal(finding.remedy?.command, 'clawbar probe --compare pre-upgrade');
    const runtime = DaemonRuntime.parse(JSON.parse(await readFile(paths().runtime, 'utf8')));
    assert.deepEqual([runtime.node?.path, runtime.pending, runtime.lastCheck?.regressions], [link, null, check!.regressions]);
    // The comparison's runs are in the probe log, tagged; the last run is still the watcher's full run (the gateway's own targets too).
    const probed = await jsonLines(join(watchPaths(gw.world).logs, 'probes.jsonl'));
    const checkRuns = new Set(probed.filter((l) => l.purpose === 'upgrade-check').map((l) => l.traceId));
    assert.equal(checkRuns.size, 3);
    assert.ok(checkRuns.has(check!.traceId), JSON.stringify([...checkRuns]));
    const last = LastProbeRun.parse(JSON.parse(await readFile(join(watchPaths(gw.world).state, 'last-probe.json'), 'utf8')));
    assert.ok(!checkRuns.has(last.report.traceId) && last.targets.some((t) => t.kind === 'gateway-health'), JSON.stringify(last.targets));
    await stopWatcher();
  });

  it('a new gateway version (/startupz) runs the comparison too; the edge back to its speed is no regression', async () => {
    await relay.stop();
    relay = await startLatencyRelay({ upstreamPort: nginx.port('edge'), delayMs: 0, port: relay.port });
    const running = watcher({}, {});
    await running.start();
    // The gateway reports the version OpenClaw's runtime resolves, environment first: a second run that says 2026.9.7.
    await appendFile(gw.svc.envFilePath, "export OPENCLAW_VERSION='2026.9.7'\n");
    await gw.kickstart();
    await waitFor('the second comparison', async () => (await upgradeChecks()).length > 1, 120_000, 500);
    const check = (await upgradeChecks())[1]!;
    assert.deepEqual([check.changes, check.baseline, check.regressions, check.error], [[{ what: 'gateway', before: '2026.9.6', after: '2026.9.7' }], 'pre-upgrade', 0, null]);
    assert.ok(said.includes("no probe regression after gateway 2026.9.6 → 2026.9.7 against 'pre-upgrade' (3 runs)"), said.join('\n'));
    assert.equal(running.getState().findings.find((f) => f.id === 'probes.upgrade-regression'), undefined, 'the finding is the last comparison\'s');
    await stopWatcher();
  });
});
