import '../helpers/electron-mock.ts';
import assert from 'node:assert/strict';
import { appendFile, copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { Agent } from '../../main/agent/agent.ts';
import { createHandlers } from '../../main/agent/handlers.ts';
import type { GatewayLogErrors } from '../../main/contract.ts';
import { worldFiles } from '../../main/world.ts';
import { waitFor } from '../peers/peer.ts';
import { startReceiver, type Receiver } from '../peers/receiver.ts';
import { launchChromium, openPopover, type Popover } from './helpers/bridge.ts';
import { buildRenderer, ROOT } from './helpers/renderer.ts';
import { makeWorld, SECRETS, type E2EWorld } from './helpers/world.ts';

const { openSettingsStore } = await import('../../main/app/settings-store.ts');
const { wireApp } = await import('../../main/app/wiring.ts');

// Page functions run in Chromium; this is the little of the DOM they touch.
declare const document: { querySelector(selector: string): { textContent: string | null } | null };

const SHOTS = join(ROOT, 'test-output', 'screenshots');
/** Paging secrets seeded into the settings file: none may reach the page, the IPC or the screenshots' text. */
const PAGING = { hookPath: 'HookPathE2E7c1d9b', header: 'HeaderE2E4a8f2e', slackPath: 'SlackPathE2E0b3c6d', amPassword: 'AmPassE2E5d9e1f', heartbeat: 'BeatE2E8e2a4c' };
/** A provider the gateway reaches only through the inspection proxy, whose CA it does not trust. */
const REMOTE = 'llm.example.invalid';
const model = { id: 'm1', name: 'M1', input: ['text'], contextWindow: 32000, maxTokens: 1000 };

/**
 * The Settings view and the History view's gateway log errors, bridged to
 * the real agent: the settings file is the app's (electron-store through the
 * app's wiring, on the Electron mock), and the log errors are written by the
 * real gateway failing to reach its provider behind the inspecting proxy.
 */
describe('the popover\'s Settings and gateway log errors, bridged to a real agent', { timeout: 420_000 }, () => {
  let world: E2EWorld;
  let browser: Browser;
  let agent: Agent;
  let receiver: Receiver;
  let settingsPath: string;
  let store: ReturnType<typeof openSettingsStore>;
  const popovers: Popover[] = [];
  const texts: string[] = [];

  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    [world, receiver] = await Promise.all([makeWorld({ openclaw: {
      models: { catalogRefresh: { enabled: false }, providers: { remote: { baseUrl: `https://${REMOTE}/v1`, apiKey: 'sk-remote-0123456789', api: 'openai-completions', models: [model] } } },
      agents: { defaults: { model: { primary: 'remote/m1' } } },
      gateway: { mode: 'local', http: { endpoints: { chatCompletions: { enabled: true } } } },
    } }), startReceiver(), buildRenderer()]);
    browser = await launchChromium();
    Object.assign(process.env, world.launchd.env);
    const shellEnv = { HOME: world.home, ...world.launchd.env };
    settingsPath = worldFiles(shellEnv, world.home, process.platform).settings;
    await mkdir(dirname(settingsPath), { recursive: true });
    await writeFile(settingsPath, JSON.stringify({
      ntpServer: `127.0.0.1:${world.chronyPort}`,
      paging: {
        notifiers: [
          { kind: 'webhook', name: 'hook', url: receiver.url(`/hook/${PAGING.hookPath}`), headers: { authorization: `Bearer ${PAGING.header}` } },
          { kind: 'slack', name: 'chat', url: receiver.url(`/services/${PAGING.slackPath}`) },
          { kind: 'alertmanager', name: 'am', url: receiver.url('/am'), username: 'pager', password: PAGING.amPassword },
        ],
        heartbeatUrl: receiver.url(`/beat/${PAGING.heartbeat}`),
      },
    }), { mode: 0o600 });
    // As the app starts: the settings file read by the app's store, the agent, its handlers, and the wiring that persists changes.
    store = openSettingsStore(settingsPath);
    agent = new Agent({
      settings: (await store.read()).settings, home: world.home, shellEnv, probeTimeoutMs: 5_000,
      intervals: { healthMs: 2_000, listenersMs: 3_000, clockMs: 10_000, probesMs: 3_600_000, serviceMs: 3_600_000 },
    });
    const paths = { renderer: join(ROOT, 'out', 'renderer'), preload: join(ROOT, 'out', 'preload', 'index.cjs'), trayAssets: join(ROOT, 'main', 'app', 'assets') };
    wireApp({ agent, handlers: createHandlers(agent, { settings: store }), store, paths, gatewayLog: () => world.logFile });
    await agent.completeFirstRun();
    await agent.start();
  });
  after(async () => {
    await agent?.stop();
    for (const p of popovers) await p.close().catch(() => undefined);
    await browser?.close();
    await receiver?.close();
    await world?.stop();
  });

  async function open(colorScheme: 'light' | 'dark', view: 'settings' | 'history'): Promise<Popover> {
    const p = await openPopover(browser, agent, { colorScheme, hooks: { settings: store } });
    popovers.push(p);
    if (view === 'settings') {
      await p.page.click('[data-testid="open-settings"]');
      await p.page.waitForSelector('[data-testid="settings-form"]', { timeout: 10_000 });
    } else {
      await p.page.click('button[data-view="history"]');
      await p.page.waitForSelector('[data-testid="gateway-log"] [data-testid="gateway-log-files"]', { timeout: 10_000 });
    }
    return p;
  }

  async function shot(p: Popover, name: string): Promise<void> {
    await p.page.screenshot({ path: join(SHOTS, `${name}.png`) });
    texts.push(await p.page.innerText('body'));
  }

  const stored = async () => JSON.parse(await readFile(settingsPath, 'utf8')) as { healthIntervalSec?: number; paging: { notifiers: Array<Record<string, unknown>>; heartbeatUrl: string | null } };
  const requests = (channel: string) => popovers.flatMap((p) => p.messages).filter((m) => m.kind === 'request' && m.channel === channel).length;
  const responses = (p: Popover, channel: string) => p.messages.filter((m) => m.kind === 'response' && m.channel === channel).length;
  const notifier = (i: number, field: string) => `li[data-notifier="${i}"] input[id$="-${field}"]`;

  it('History: before the gateway logged any error it says so, and which log file it reads', async () => {
    const p = await open('light', 'history');
    await p.page.waitForSelector('[data-testid="gateway-log-empty"]', { timeout: 10_000 });
    assert.match(await p.page.innerText('[data-testid="gateway-log-empty"]'), /No errors logged in the last 24 hours/);
    assert.equal((await p.page.innerText('[data-testid="gateway-log-files"]')).trim(), `Read from ${world.logFile}`);
    await shot(p, 'history-log-empty');
  });

  it('Settings: loads where each notifier goes without its secrets, saves an edit, and a reload shows it; the file (0600) keeps every untouched secret', async () => {
    const p = await open('light', 'settings');
    const { page } = p;
    assert.equal(await page.inputValue(notifier(1, 'url')), '', 'a stored URL is never put in a field');
    assert.match(await page.getAttribute(notifier(0, 'url'), 'placeholder') ?? '', /^kept: http:\/\/127\.0\.0\.1:\d+\/…$/);
    assert.match(await page.innerText('li[data-notifier="0"]'), /Headers kept as they are: authorization/);
    assert.equal(await page.getAttribute(notifier(2, 'password'), 'placeholder'), 'set, kept');
    await shot(p, 'settings');

    await page.fill(notifier(1, 'name'), 'chat-ops');
    await page.fill('#set-healthIntervalSec', '45');
    await page.fill('#set-gateway-failures', '3');
    await page.click('[data-testid="settings-save"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="settings-status"]')?.textContent === 'Saved', null, { timeout: 10_000 });

    const file = await stored();
    assert.equal((await stat(settingsPath)).mode & 0o777, 0o600);
    assert.equal(file.healthIntervalSec, 45);
    assert.deepEqual(file.paging.notifiers.map((n) => n.name), ['hook', 'chat-ops', 'am']);
    assert.equal(file.paging.notifiers[0]!.url, receiver.url(`/hook/${PAGING.hookPath}`));
    assert.deepEqual(file.paging.notifiers[0]!.headers, { authorization: `Bearer ${PAGING.header}` });
    assert.equal(file.paging.notifiers[1]!.url, receiver.url(`/services/${PAGING.slackPath}`));
    assert.equal(file.paging.notifiers[2]!.password, PAGING.amPassword);
    assert.equal(file.paging.heartbeatUrl, receiver.url(`/beat/${PAGING.heartbeat}`));
    assert.equal(agent.settings.paging.checks.gateway?.failureThreshold, 3);

    const again = await open('dark', 'settings');
    assert.equal(await again.page.inputValue(notifier(1, 'name')), 'chat-ops');
    assert.equal(await again.page.inputValue('#set-healthIntervalSec'), '45');
    assert.equal(await again.page.inputValue('#set-gateway-failures'), '3');
    await shot(again, 'settings-dark');
  });

  it('Settings: a URL typed anew replaces the stored one, and only that one', async () => {
    const { page } = await open('light', 'settings');
    await page.fill(notifier(1, 'url'), receiver.url('/services/ReplacedE2E3f7a'));
    await page.click('[data-testid="settings-save"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="settings-status"]')?.textContent === 'Saved', null, { timeout: 10_000 });
    const file = await stored();
    assert.equal(file.paging.notifiers[1]!.url, receiver.url('/services/ReplacedE2E3f7a'));
    assert.ok(!JSON.stringify(file).includes(PAGING.slackPath), 'the replaced URL is gone');
    assert.equal(file.paging.notifiers[0]!.url, receiver.url(`/hook/${PAGING.hookPath}`));
    assert.equal(await page.inputValue(notifier(1, 'url')), '', 'the new URL is not shown back either');
  });

  it('Settings: an editor\'s change after the form loaded: Save is refused and offers Reload; reloaded, the form shows the change and a save keeps it', async () => {
    const p = await open('light', 'settings');
    const { page } = p;
    const file = JSON.parse(await readFile(settingsPath, 'utf8'));
    file.healthIntervalSec = 50;
    file.clockWarnMs = 2_500;
    file.listenerExceptions = [{ port: 18790, reason: 'tailnet, token auth' }];
    file.paging.notifiers[2].labels = { team: 'edited-by-hand' };
    await writeFile(settingsPath, JSON.stringify(file, null, 2));
    const edited = await readFile(settingsPath, 'utf8');

    await page.fill(notifier(1, 'name'), 'chat-stale');
    await page.click('[data-testid="settings-save"]');
    await page.waitForSelector('[data-testid="settings-reload"]', { timeout: 10_000 });
    assert.equal(await page.innerText('[data-testid="settings-status"]'), 'Not saved: the settings file changed since this form was loaded');
    assert.equal(await readFile(settingsPath, 'utf8'), edited, 'the editor\'s change stands');
    await shot(p, 'settings-stale');

    await page.click('[data-testid="settings-reload"]');
    await page.waitForFunction(() => (document.querySelector('#set-healthIntervalSec') as unknown as { value: string } | null)?.value === '50', null, { timeout: 10_000 });
    assert.equal(await page.inputValue(notifier(1, 'name')), 'chat-ops', 'the reload shows the file, not the refused edit');
    await page.fill(notifier(1, 'name'), 'chat-kept');
    await page.click('[data-testid="settings-save"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="settings-status"]')?.textContent === 'Saved', null, { timeout: 10_000 });
    const saved = JSON.parse(await readFile(settingsPath, 'utf8'));
    assert.deepEqual([saved.healthIntervalSec, saved.clockWarnMs, saved.listenerExceptions, saved.paging.notifiers[2].labels, saved.paging.notifiers[1].name],
      [50, 2_500, [{ port: 18790, reason: 'tailnet, token auth' }], { team: 'edited-by-hand' }, 'chat-kept']);
    assert.equal(saved.paging.notifiers[2].password, PAGING.amPassword);
    assert.equal((await stat(settingsPath)).mode & 0o777, 0o600);
    assert.deepEqual(agent.settings.listenerExceptions, [{ port: 18790, reason: 'tailnet, token auth' }], 'the agent runs by the file as saved');
  });

  it('Settings: a bad URL shows its message and writes nothing; main refuses one sent anyway', async () => {
    const p = await open('light', 'settings');
    const { page } = p;
    const before = await readFile(settingsPath, 'utf8');
    const sets = requests('settings:set');
    await page.fill(notifier(0, 'url'), 'ftp://files.example.test/drop');
    await page.fill(notifier(2, 'url'), 'http://am.example.test:9093/api/v2/alerts');
    await page.click('[data-testid="settings-save"]');
    await page.waitForSelector('li[data-notifier="0"] .field-error', { timeout: 5_000 });
    assert.equal(await page.innerText('li[data-notifier="0"] .field-error'), 'Enter an http:// or https:// URL');
    assert.match(await page.innerText('li[data-notifier="2"] .field-error'), /Alertmanager's base URL: \/api\/v2\/alerts is added/);
    assert.equal(await page.getAttribute(notifier(0, 'url'), 'aria-invalid'), 'true');
    assert.equal(await page.innerText('[data-testid="settings-status"]'), 'Not saved: 2 fields need attention');
    assert.equal(requests('settings:set'), sets, 'the form sent nothing');
    await shot(p, 'settings-invalid');

    const refused = await page.evaluate(async () => {
      const api = (globalThis as unknown as { clawbar: { getSettings: () => Promise<{ revision: string }>; setSettings: (edit: unknown) => Promise<unknown> } }).clawbar;
      const { revision } = await api.getSettings();
      return api.setSettings({ revision, paging: { notifiers: [{ from: 0, kind: 'webhook', url: 'ftp://files.example.test/drop' }] } }).then(() => 'saved', (error: Error) => error.message);
    });
    assert.match(refused, /notifier 1 URL: expected an http:\/\/ or https:\/\/ URL/);
    assert.equal(await readFile(settingsPath, 'utf8'), before, 'the file is untouched');
  });

  it('Settings: Send test page goes through the pager to the stored notifier and says sent or failed', async () => {
    const { page } = await open('light', 'settings');
    await page.click('li[data-notifier="0"] [data-testid="test-page"]');
    await page.waitForFunction(() => document.querySelector('li[data-notifier="0"] [data-testid="test-page-result"]')?.textContent?.startsWith('sent'), null, { timeout: 15_000 });
    assert.match(await page.innerText('li[data-notifier="0"] [data-testid="test-page-result"]'), /^sent\s+HTTP 200 · direct$/);
    const got = receiver.on(`/hook/${PAGING.hookPath}`).filter((r) => (r.json as { event?: string } | null)?.event === 'test');
    assert.equal(got.length, 1);
    assert.equal(got[0]!.headers.authorization, `Bearer ${PAGING.header}`);

    receiver.answer('/am/api/v2/alerts', 503);
    await page.click('li[data-notifier="2"] [data-testid="test-page"]');
    await page.waitForFunction(() => document.querySelector('li[data-notifier="2"] [data-testid="test-page-result"]')?.textContent?.startsWith('failed'), null, { timeout: 15_000 });
    assert.match(await page.innerText('li[data-notifier="2"] [data-testid="test-page-result"]'), /^failed\s+HTTP 503 · direct$/);
    await page.locator('li[data-notifier="2"]').scrollIntoViewIfNeeded();
    await shot(popovers.at(-1)!, 'settings-test-page');
  });

  it('History: the errors the real gateway logs reaching its provider show per layer as the engine counts them, with hosts and a jump marker', async () => {
    const chat = fetch(`http://127.0.0.1:${world.service.port}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-openclaw-model': 'remote/m1' },
      body: JSON.stringify({ model: 'openclaw', messages: [{ role: 'user', content: 'hi' }] }), signal: AbortSignal.timeout(120_000),
    }).catch(() => null);
    void chat;
    await waitFor('the provider call failing in the gateway log', async () => /\[model-fetch\] error provider=remote /.test(await readFile(world.logFile, 'utf8').catch(() => '')), 120_000, 1_000);
    // How often the gateway retries within the test is its own business: a dozen more of its own failure records make the last hour's rate jump for sure.
    const failure = (await readFile(world.logFile, 'utf8')).split('\n').findLast((line) => line.includes('[model-fetch] error provider=remote '))!;
    await appendFile(world.logFile, `${failure}\n`.repeat(12));
    await waitFor('the agent counting it', async () => Object.keys((await agent.session.daemon.gatewayLogSummary()).lastDay.byLayer).length > 0, 30_000, 500);
    await waitFor('the agent counting the seeded failures as a jump', async () => (await agent.session.daemon.gatewayLogSummary()).jumps.length > 0, 30_000, 500);

    const p = await open('light', 'history');
    const { page } = p;
    // The agent reads the log on its own schedule while the gateway keeps retrying: compare once a reload saw a steady count.
    let summary: GatewayLogErrors | null = null;
    for (let attempt = 0; attempt < 20 && !summary; attempt++) {
      const before = await agent.session.daemon.gatewayLogSummary();
      const answered = responses(p, 'history:get');
      await page.click('[data-testid="gateway-log"] button:has-text("Reload")');
      await waitFor('the history reloaded', async () => responses(p, 'history:get') > answered, 10_000, 50);
      await page.waitForSelector('[data-testid="gateway-log"] .log-layer', { timeout: 10_000 });
      const after = await agent.session.daemon.gatewayLogSummary();
      const counts = (s: GatewayLogErrors) => JSON.stringify([s.lastDay.byLayer, s.lastDay.byHost, s.lastHour.byLayer, s.jumps]);
      if (counts(before) === counts(after)) summary = after;
      else await page.waitForTimeout(1_000);
    }
    assert.ok(summary, 'the counts held still long enough to compare');
    const shown = await page.$$eval('[data-testid="gateway-log"] .log-layer', (rows) => rows.map((r) => [r.getAttribute('data-layer'), Number(r.getAttribute('data-count')), Number(r.getAttribute('data-hour'))]));
    const expected = Object.entries(summary.lastDay.byLayer).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([layer, n]) => [layer, n, summary!.lastHour.byLayer[layer] ?? 0]);
    assert.deepEqual(shown, expected);
    assert.ok(shown.some(([layer]) => layer === 'tls-trust'), `the inspecting proxy's CA is not trusted: ${JSON.stringify(shown)}`);
    for (const [layer, count] of expected) assert.match(await page.innerText(`[data-layer="${layer}"]`), new RegExp(`\\b${count}\\b`));
    const hosts = await page.$$eval('[data-testid="gateway-log"] .host-list li', (items) => items.map((li) => li.getAttribute('data-host')));
    assert.deepEqual(hosts, summary.lastDay.byHost.slice(0, 5).map((h) => h.host));
    assert.ok(hosts.includes(REMOTE), JSON.stringify(hosts));
    const jumped = await page.$$eval('[data-testid="gateway-log"] .log-layer.jumped', (rows) => rows.map((r) => r.getAttribute('data-layer')));
    assert.ok(summary.jumps.length > 0, `the seeded failures make a layer jump: ${JSON.stringify(summary.lastHour.byLayer)}`);
    assert.deepEqual(jumped.sort(), summary.jumps.map((j) => j.layer).sort());
    assert.match(await page.innerText('[data-testid="rate-jumped"]'), /rate jumped: \d+ in the last hour, usually [\d.]+\/h/);
    assert.ok(!(await page.innerText('body')).includes('[model-fetch]'), 'log lines are never shown');
    await page.locator('[data-testid="gateway-log"]').scrollIntoViewIfNeeded();
    await shot(p, 'history-log-errors');
    const dark = await open('dark', 'history');
    await dark.page.waitForSelector('[data-testid="gateway-log"] .log-layer', { timeout: 10_000 });
    await dark.page.locator('[data-testid="gateway-log"]').scrollIntoViewIfNeeded();
    await shot(dark, 'history-log-errors-dark');
  });

  it('lets no seeded secret into any IPC message or page text, and loads nothing remote', async () => {
    const messages = popovers.flatMap((p) => p.messages);
    for (const channel of ['settings:get', 'settings:set', 'paging:test', 'history:get']) assert.ok(messages.some((m) => m.channel === channel && m.kind === 'response'), channel);
    const everything = [JSON.stringify(messages), ...texts].join('\n');
    for (const secret of [...Object.values(PAGING), ...Object.values(SECRETS)]) assert.ok(!everything.includes(secret), `a seeded secret crossed the bridge: ${secret.slice(0, 8)}…`);
    assert.deepEqual(popovers.flatMap((p) => p.blocked), []);
    await mkdir(join(ROOT, 'docs', 'screenshots'), { recursive: true });
    for (const name of ['settings']) await copyFile(join(SHOTS, `${name}.png`), join(ROOT, 'docs', 'screenshots', `${name}.png`));
  });
});
