import '../../helpers/electron-mock.ts';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent } from '../../../main/agent/agent.ts';
import { createHandlers } from '../../../main/agent/handlers.ts';
import type { InvokeChannel, InvokeRequest, InvokeResponse } from '../../../main/ipc-contract.ts';
import type { NotifierEdit } from '../../../main/contract/settings.ts';
import { countRecord, loadLogState, saveLogState } from '../../../main/store/gateway-log-store.ts';
import { worldFiles } from '../../../main/world.ts';
import { makeHome } from '../../helpers/world.ts';
import { BrowserWindow, resetElectronMock, ipcMain } from '../../mocks/electron.ts';
import { startReceiver, type Receiver } from '../../peers/receiver.ts';

const { openSettingsStore } = await import('../../../main/app/settings-store.ts');
const { wireApp } = await import('../../../main/app/wiring.ts');

const SECRETS = { hookPath: 'HookPathSecret9f1c', slackPath: 'SlackPathSecret2b7d', amPassword: 'AmPassSecret5e3a', header: 'HeaderSecret8c4b', heartbeat: 'BeatSecret0d6e' };

/**
 * The settings, test-page and history channels as the app registers them:
 * the real agent and handlers behind main's IPC registration (sender check,
 * request and response schemas) on the Electron mock, and the app's own
 * settings store writing the shared file.
 */
describe('settings, test page and history over the app\'s IPC', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let receiver: Receiver;
  let agent: Agent;
  let path: string;
  let invoke: <C extends InvokeChannel>(channel: C, request: InvokeRequest<C>) => Promise<InvokeResponse<C>>;

  before(async () => {
    resetElectronMock();
    ({ home, cleanup } = await makeHome());
    receiver = await startReceiver();
    path = worldFiles({ HOME: home }, home, process.platform).settings;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify({
      healthIntervalSec: 30,
      paging: {
        notifiers: [
          { kind: 'webhook', name: 'hook', url: receiver.url(`/hook/${SECRETS.hookPath}`), headers: { authorization: `Bearer ${SECRETS.header}` } },
          { kind: 'slack', name: 'chat', url: receiver.url(`/services/${SECRETS.slackPath}`) },
          { kind: 'alertmanager', name: 'am', url: receiver.url('/am'), username: 'pager', password: SECRETS.amPassword },
        ],
        heartbeatUrl: `https://hc.example.test/${SECRETS.heartbeat}`,
      },
    }), { mode: 0o600 });
    const store = openSettingsStore(path);
    agent = new Agent({ settings: (await store.read()).settings, home, shellEnv: { HOME: home } });
    const paths = { renderer: '/app/out/renderer', preload: '/app/out/preload/index.cjs', trayAssets: '/app/main/app/assets' };
    wireApp({ agent, handlers: createHandlers(agent, { settings: store }), store, paths, gatewayLog: () => `${home}/gateway.log` });
    const window = BrowserWindow.instances[0]!;
    const trusted = { sender: window.webContents, senderFrame: window.webContents.mainFrame };
    invoke = (channel, request) => ipcMain.invoke(channel, trusted, request) as never;
  });
  after(async () => {
    await agent.stop();
    await receiver.close();
    await cleanup();
  });

  const stored = async () => JSON.parse(await readFile(path, 'utf8')) as { healthIntervalSec: number; paging: { notifiers: Array<Record<string, unknown>>; heartbeatUrl: string | null } };
  /** The rows of a form that changed nothing: each stored notifier by its place, no secret. */
  const rows = (view: InvokeResponse<'settings:get'>): NotifierEdit[] => view.paging.notifiers.map((n, i) => ({
    from: i, kind: n.kind, ...(n.name ? { name: n.name } : {}), ...(n.username !== undefined ? { username: n.username } : {}),
  }));

  it('settings:get passes the contract and shows where pages go, never a paging secret', async () => {
    const view = await invoke('settings:get', {});
    const text = JSON.stringify(view);
    for (const secret of Object.values(SECRETS)) assert.ok(!text.includes(secret), secret);
    assert.deepEqual(view.paging.notifiers.map((n) => [n.name, n.urlHint]), [['hook', `${receiver.url('')}/…`], ['chat', `${receiver.url('')}/…`], ['am', receiver.url('/am')]]);
    assert.deepEqual([view.paging.notifiers[0]!.headerNames, view.paging.notifiers[2]!.hasPassword], [['authorization'], true]);
    assert.equal(view.paging.heartbeatHint, 'https://hc.example.test/…');
  });

  it('a save that touched no secret keeps each one in the file (0600); a URL typed anew replaces the stored one', async () => {
    const view = await invoke('settings:get', {});
    const edit = rows(view);
    edit[1]!.name = 'chat-ops';
    const saved = await invoke('settings:set', { revision: view.revision, healthIntervalSec: 45, paging: { notifiers: edit, confirmAfterSec: 20 } });
    assert.equal(saved.paging.notifiers[1]!.name, 'chat-ops');
    assert.notEqual(saved.revision, view.revision);
    let file = await stored();
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal(file.healthIntervalSec, 45);
    assert.equal(file.paging.notifiers[0]!.url, receiver.url(`/hook/${SECRETS.hookPath}`));
    assert.deepEqual(file.paging.notifiers[0]!.headers, { authorization: `Bearer ${SECRETS.header}` });
    assert.equal(file.paging.notifiers[1]!.url, receiver.url(`/services/${SECRETS.slackPath}`));
    assert.equal(file.paging.notifiers[2]!.password, SECRETS.amPassword);
    assert.equal(file.paging.heartbeatUrl, `https://hc.example.test/${SECRETS.heartbeat}`);
    assert.ok(!JSON.stringify(saved).includes(SECRETS.slackPath));

    const next = rows(saved);
    next[1]!.url = receiver.url('/services/ReplacedPath4242');
    await invoke('settings:set', { revision: saved.revision, paging: { notifiers: next } });
    file = await stored();
    assert.equal(file.paging.notifiers[1]!.url, receiver.url('/services/ReplacedPath4242'));
    assert.ok(!JSON.stringify(file).includes(SECRETS.slackPath), 'the old URL is gone');
    assert.equal(file.paging.notifiers[0]!.url, receiver.url(`/hook/${SECRETS.hookPath}`));
  });

  it('refuses bad input with its message and writes nothing', async () => {
    const view = await invoke('settings:get', {});
    const before = await readFile(path, 'utf8');
    const settings = agent.settings;
    const bad = rows(view);
    bad[0]!.url = 'ftp://files.example.test/drop';
    await assert.rejects(invoke('settings:set', { revision: view.revision, paging: { notifiers: bad } }), /^Error: settings:set: notifier 1 URL: expected an http:\/\/ or https:\/\/ URL$/);
    await assert.rejects(invoke('settings:set', { revision: view.revision, paging: { notifiers: rows(view), confirmAfterSec: 1 } }), /settings:set: confirmation delay: Too small/);
    await assert.rejects(invoke('settings:set', { healthIntervalSec: 1 } as never), /settings:set: invalid request: healthIntervalSec: Too small/);
    await assert.rejects(invoke('settings:set', { revision: 'an-older-revision', paging: { notifiers: rows(view) } }), /settings:set: the settings file changed since this form was loaded; reload it and edit again$/);
    await assert.rejects(invoke('settings:set', { healthIntervalSec: 45 } as never), /settings:set: invalid request: revision/);
    const echoed = rows(view);
    echoed[0]!.url = view.paging.notifiers[0]!.urlHint.replace('…', '[redacted]');
    await assert.rejects(invoke('settings:set', { revision: view.revision, paging: { notifiers: echoed } }), /a redacted value cannot be saved/);
    assert.equal(await readFile(path, 'utf8'), before, 'the file is untouched');
    assert.equal(agent.settings, settings, 'the agent kept its settings');
  });

  it('paging:test sends one test page through the pager and says sent or failed; a stale form is refused', async () => {
    const view = await invoke('settings:get', {});
    const sent = await invoke('paging:test', { index: 0, revision: view.revision });
    assert.deepEqual([sent.notifier, sent.ok, sent.status, sent.via, sent.error], ['hook', true, 200, 'direct', null]);
    const page = receiver.on(`/hook/${SECRETS.hookPath}`).at(-1)!;
    assert.equal(page.headers.authorization, `Bearer ${SECRETS.header}`);
    assert.deepEqual([(page.json as { schema: string }).schema, (page.json as { event: string }).event, (page.json as { traceId: string }).traceId], ['clawbar.page/1', 'test', sent.traceId]);
    assert.ok(!JSON.stringify(sent).includes(SECRETS.hookPath));

    receiver.answer('/am/api/v2/alerts', 503);
    const failed = await invoke('paging:test', { index: 2, revision: view.revision });
    assert.deepEqual([failed.notifier, failed.ok, failed.status, failed.error], ['am', false, 503, 'HTTP 503']);
    const alert = (receiver.on('/am/api/v2/alerts').at(-1)!.json as Array<{ labels: Record<string, string> }>)[0]!;
    assert.equal(alert.labels.alertname, 'ClawbarTestPage');
    assert.equal(receiver.on('/am/api/v2/alerts').at(-1)!.headers.authorization, `Basic ${Buffer.from(`pager:${SECRETS.amPassword}`).toString('base64')}`);

    await assert.rejects(invoke('paging:test', { index: 0, revision: 'stale' }), /the settings file changed since this form was loaded; reload it first/);
    await assert.rejects(invoke('paging:test', { index: 7, revision: view.revision }), /there is no notifier 8/);
    // The pager appends its log lines in the background.
    let log = '';
    for (let i = 0; i < 100 && (log.match(/"event":"test"/g) ?? []).length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      log = await readFile(agent.session.world.files.pageLog, 'utf8').catch(() => '');
    }
    assert.match(log, /"event":"test","notifier":"hook","outcome":"sent"/);
    assert.match(log, /"event":"test","notifier":"am","outcome":"failed"/);
    for (const secret of Object.values(SECRETS)) assert.ok(!log.includes(secret), `${secret} in the page log`);
  });

  /** An editor's change to the file, as Open Settings File invites: the file is read, changed and written back in place. */
  const handEdit = async (change: (file: Record<string, any>) => void) => {
    const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, any>;
    change(file);
    await writeFile(path, JSON.stringify(file, null, 2));
  };

  it('an editor\'s change between loading the form and saving it: the save is refused and writes nothing; reloaded, the form saves over it and keeps it, and the agent runs by it', async () => {
    const view = await invoke('settings:get', {});
    await handEdit((file) => {
      file.listenerExceptions = [{ port: 18790, reason: 'tailnet, token auth' }];
      file.clockWarnMs = 2_500;
      file.paging.notifiers[0].headers = { authorization: 'Bearer EditedHeader7d1e' };
      file.paging.notifiers[2].labels = { team: 'edited' };
    });
    const edited = await readFile(path, 'utf8');
    const edit = rows(view);
    await assert.rejects(invoke('settings:set', { revision: view.revision, healthIntervalSec: 50, paging: { notifiers: edit } }), /the settings file changed since this form was loaded; reload it and edit again/);
    assert.equal(await readFile(path, 'utf8'), edited, 'the editor\'s change stands');
    await assert.rejects(invoke('paging:test', { index: 0, revision: view.revision }), /the settings file changed since this form was loaded; reload it first/);

    const reloaded = await invoke('settings:get', {});
    assert.notEqual(reloaded.revision, view.revision);
    assert.deepEqual(reloaded.listenerExceptions, [{ port: 18790, reason: 'tailnet, token auth' }]);
    assert.deepEqual(agent.settings.listenerExceptions, [{ port: 18790, reason: 'tailnet, token auth' }], 'the agent runs by the file as it is now');
    assert.equal(agent.settings.clockWarnMs, 2_500);
    const saved = await invoke('settings:set', { revision: reloaded.revision, healthIntervalSec: 50, paging: { notifiers: rows(reloaded) } });
    const file = JSON.parse(await readFile(path, 'utf8'));
    assert.equal(file.healthIntervalSec, 50);
    assert.deepEqual(file.listenerExceptions, [{ port: 18790, reason: 'tailnet, token auth' }]);
    assert.equal(file.clockWarnMs, 2_500);
    assert.deepEqual(file.paging.notifiers[0].headers, { authorization: 'Bearer EditedHeader7d1e' });
    assert.deepEqual(file.paging.notifiers[2].labels, { team: 'edited' });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal(agent.settings.healthIntervalSec, 50);

    const sent = await invoke('paging:test', { index: 0, revision: saved.revision });
    assert.equal(sent.ok, true);
    assert.equal(receiver.on(`/hook/${SECRETS.hookPath}`).at(-1)!.headers.authorization, 'Bearer EditedHeader7d1e', 'the test page carries the header as the file holds it now');
  });

  it('a kept notifier pointed at another host is refused its stored header value, and a test page still goes where it was', async () => {
    const view = await invoke('settings:get', {});
    const before = await readFile(path, 'utf8');
    const moved = rows(view);
    const other = receiver.url('/taken').replace('127.0.0.1', 'localhost');
    moved[0]!.url = other;
    await assert.rejects(invoke('settings:set', { revision: view.revision, paging: { notifiers: moved } }), /notifier 1: its header values \(authorization\) were given for http:\/\/127\.0\.0\.1:\d+ and are not sent to http:\/\/localhost:\d+/);
    assert.equal(await readFile(path, 'utf8'), before);
    const sent = await invoke('paging:test', { index: 0, revision: view.revision });
    assert.equal(sent.ok, true);
    assert.deepEqual(receiver.on('/taken'), []);
  });

  it('history:get carries the gateway\'s log errors by layer and hour, whose hours add up to the last day', async () => {
    const empty = await invoke('history:get', {});
    assert.ok(empty.gatewayLog);
    assert.deepEqual([empty.gatewayLog.files, empty.gatewayLog.readable, empty.gatewayLog.lastDay.byLayer], [[], false, {}]);
    assert.ok(empty.gatewayLog.hours.length >= 24 && empty.gatewayLog.hours.length <= 25);

    const now = new Date();
    const state = await loadLogState(agent.session.world.files.gatewayLogState, now);
    const hour = (back: number) => new Date(now.getTime() - back * 3_600_000).toISOString().slice(0, 13);
    for (let i = 0; i < 12; i++) countRecord(state, hour(0), { layer: 'proxy', host: 'llm.example.test' });
    for (let i = 0; i < 3; i++) countRecord(state, hour(5), { layer: 'tls-trust', host: 'api.example.test' });
    countRecord(state, hour(30), { layer: 'dns', host: 'old.example.test' });
    await saveLogState(agent.session.world.files.gatewayLogState, state);

    const { gatewayLog } = await invoke('history:get', {});
    assert.deepEqual(gatewayLog!.lastDay.byLayer, { proxy: 12, 'tls-trust': 3 });
    const summed: Record<string, number> = {};
    for (const h of gatewayLog!.hours) for (const [layer, n] of Object.entries(h.byLayer)) summed[layer] = (summed[layer] ?? 0) + n;
    assert.deepEqual(summed, gatewayLog!.lastDay.byLayer);
    assert.deepEqual(gatewayLog!.hours.at(-1)!.byLayer, { proxy: 12 });
    assert.deepEqual(gatewayLog!.jumps.map((j) => j.layer), ['proxy']);
    assert.deepEqual(gatewayLog!.lastDay.byHost[0], { host: 'llm.example.test', layer: 'proxy', count: 12 });
    assert.equal(gatewayLog!.totals.dns, 1);
  });
});
