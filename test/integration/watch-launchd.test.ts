import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'plist';
import { Agent } from '../../main/agent/agent.ts';
import type { AgentState, Notice } from '../../main/ipc-contract.ts';
import { Settings } from '../../main/settings-schema.ts';
import { WATCH_NODE_FLAGS } from '../../main/watch/launchd-job.ts';
import { installLaunchctlStandin, type LaunchctlStandin } from '../peers/launchd-standin.ts';
import { startNodeExporter } from '../peers/node-exporter.ts';
import type { RunningGateway } from '../peers/openclaw.ts';
import { waitFor } from '../peers/peer.ts';
import { startReceiver, type Receiver } from '../peers/receiver.ts';
import { jsonLines, startWatchedGateway, watchPaths, writeSettings } from '../helpers/watch-world.ts';
import { CLI, cliEnv, makeHome, runCli, subdir } from '../helpers/world.ts';

const events = (r: Receiver) => r.on('/hook').map((x) => (x.json as { event: string }).event);

describe('the watcher as a launchd job, scraped by node_exporter, with the app running beside it', { timeout: 300_000 }, () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let world: string;
  let restartGateway: () => Promise<RunningGateway>;
  let gateway: RunningGateway;
  let receiver: Receiver;
  let launchctl: LaunchctlStandin;
  let env: Record<string, string>;
  let app: Agent | null = null;
  const stops: Array<() => Promise<unknown>> = [];

  before(async () => {
    ({ home: root, cleanup } = await makeHome());
    receiver = await startReceiver();
    stops.push(() => receiver.close());
    let ntpServer: string;
    ({ world, gateway, restartGateway, ntpServer } = await startWatchedGateway(root, stops));
    await writeSettings(world, {
      ntpServer, healthIntervalSec: 5, listenerIntervalSec: 30,
      paging: { node: 'mini-launchd', confirmAfterSec: 5, checks: { egress: { enabled: false } }, notifiers: [{ kind: 'webhook', url: receiver.url('/hook') }] },
    });
    launchctl = await installLaunchctlStandin(await subdir(root, 'launchctl'));
    stops.push(() => launchctl.stopAll());
    env = cliEnv(world, launchctl.env);
  });
  after(async () => {
    await app?.stop();
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await cleanup();
  });

  it('watch install writes the LaunchAgent atomically and launchd (the stand-in) starts the watcher, which clawbar status shows', async () => {
    const run = await runCli(['watch', 'install', '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    const plistPath = join(world, 'Library', 'LaunchAgents', 'ai.clawbar.watch.plist');
    assert.equal(JSON.parse(run.stdout).spec.plistPath, plistPath);
    assert.equal((await stat(plistPath)).mode & 0o777, 0o644);
    const job = parse(await readFile(plistPath, 'utf8')) as { ProgramArguments: string[]; KeepAlive: boolean; StandardOutPath: string };
    assert.deepEqual(job.ProgramArguments.filter((a) => !a.startsWith('--')).slice(0, 3), [process.execPath, CLI, 'watch'], 'the project node runs this checkout');
    assert.deepEqual(job.ProgramArguments.slice(1, 1 + WATCH_NODE_FLAGS.length), WATCH_NODE_FLAGS);
    assert.equal(job.KeepAlive, true);
    assert.equal(job.StandardOutPath, join(watchPaths(world).logs, 'watch.log'));
    const paths = watchPaths(world);
    await waitFor('the watcher job writing its state', async () => (await readFile(paths.watchState, 'utf8').catch(() => '')).includes('"gateway"'), 30_000, 250);
    const pid = await launchctl.pidOf(`gui/${process.getuid?.() ?? 0}/ai.clawbar.watch`);
    assert.equal(JSON.parse(await readFile(paths.lock, 'utf8')).pid, pid, 'the job launchd runs holds the lock');
    const status = await runCli(['status'], env);
    assert.match(status.stdout, new RegExp(`watcher {4}running \\(pid ${pid}, last check \\d+ s ago\\), LaunchAgent installed, pages to webhook#1`));
    const summary = JSON.parse((await runCli(['watch', 'status', '--json'], env)).stdout);
    assert.deepEqual([summary.running, summary.job.kind, summary.job.launchd, summary.job.pid], [true, 'agent', 'running', pid]);
    assert.match(await readFile(join(paths.logs, 'watch.log'), 'utf8'), /clawbar watch: watching .*ai\.openclaw\.gateway\.plist/);
  });

  it('node_exporter scraped on loopback exposes the clawbar_* series the watcher writes', async () => {
    const exporter = await startNodeExporter({ textfileDir: watchPaths(world).textfileDir });
    stops.push(() => exporter.stop());
    await waitFor('clawbar series in the scrape', async () => (await exporter.scrape()).includes('clawbar_gateway_up 1'), 60_000, 500);
    const text = await exporter.scrape();
    assert.match(text, /^node_textfile_scrape_error 0$/m);
    assert.match(text, /^clawbar_listeners\{exposure="loopback"\} \d+$/m);
    assert.match(text, /^clawbar_clock_offset_seconds /m);
    assert.match(text, /^clawbar_last_run_timestamp_seconds\{check="status"\} /m);
  });

  it('the app beside it shows the watcher state and runs no schedules of its own: one page; when the watcher goes, the app takes over and resolves it', async () => {
    const notices: Notice[] = [];
    const states: AgentState[] = [];
    app = new Agent({ settings: Settings.parse(JSON.parse(await readFile(watchPaths(world).settings, 'utf8'))), home: world, shellEnv: env });
    app.on('notify', (n) => notices.push(n));
    app.on('state', (s) => states.push(s));
    await app.start();
    const watcherPid = JSON.parse(await readFile(watchPaths(world).lock, 'utf8')).pid as number;
    assert.deepEqual([app.getState().owner?.kind, app.getState().owner?.pid], ['watcher', watcherPid]);

    await gateway.stop();
    await waitFor('one firing page', async () => events(receiver).includes('firing'), 60_000, 200);
    await waitFor("the app showing the watcher's 'down'", async () => app!.getState().gateway?.state === 'down', 20_000, 200);
    assert.ok(notices.some((n) => n.id === 'gateway.down'), 'the app still notifies, from the state the watcher saw');
    const status = await jsonLines(watchPaths(world).statusLog);
    assert.deepEqual(status.filter((l) => l.source === 'app'), [], 'state changes are logged once, by the watcher');

    const uninstalled = await runCli(['watch', 'uninstall', '--json'], env);
    assert.equal(uninstalled.code, 0, uninstalled.stderr);
    await waitFor('the app taking the schedules back', async () => app!.getState().owner?.kind === 'app', 30_000, 250);
    gateway = await restartGateway();
    await waitFor('the resolved page, from the app', async () => events(receiver).includes('resolved'), 60_000, 200);
    await new Promise((r) => setTimeout(r, 3_000));
    assert.deepEqual(events(receiver), ['firing', 'resolved'], 'exactly one page and one resolved across the handover');
    assert.ok(states.some((s) => s.owner?.kind === 'watcher') && states.at(-1)?.owner?.kind === 'app');
    await app.stop();
    app = null;
  });
});
