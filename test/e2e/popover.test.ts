import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Agent } from '../../main/agent/agent.ts';
import type { Notice } from '../../main/ipc-contract.ts';
import { launchChromium, openPopover, type Popover } from './helpers/bridge.ts';
import { buildRenderer, ROOT } from './helpers/renderer.ts';
import { makeWorld, SECRETS, worldAgent, type E2EWorld } from './helpers/world.ts';
import { subdir } from '../helpers/world.ts';

// Page functions run in Chromium; this is the little of the DOM they touch.
declare const document: { querySelector(selector: string): { textContent: string | null } | null; querySelectorAll(selector: string): { length: number }; body: { innerText: string } };

const SHOTS = join(ROOT, 'test-output', 'screenshots');
const HEALTH_MS = 1_000;

describe('the popover renderer, bridged to a real agent against real peers', { timeout: 420_000 }, () => {
  let world: E2EWorld;
  let browser: Browser;
  let agent: Agent;
  let popover: Popover;
  const notices: Notice[] = [];
  const texts: string[] = [];
  const copied: string[] = [];
  const popovers: Popover[] = [];

  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    [world] = await Promise.all([makeWorld(), buildRenderer()]);
    browser = await launchChromium();
    agent = worldAgent(world, {
      intervals: { healthMs: HEALTH_MS, listenersMs: 4_000, clockMs: 5_000, probesMs: 3_600_000, serviceMs: 3_600_000 },
      probeTimeoutMs: 5_000,
    });
    agent.on('notify', (notice: Notice) => notices.push(notice));
    await agent.start();
    popover = await open('light');
  });
  after(async () => {
    await agent?.stop();
    for (const p of popovers) await p.close().catch(() => undefined);
    await browser?.close();
    await world?.stop();
  });

  async function open(colorScheme: 'light' | 'dark'): Promise<Popover> {
    const p = await openPopover(browser, agent, { colorScheme, hooks: { copyText: (text) => copied.push(text) } });
    popovers.push(p);
    return p;
  }

  /** A screenshot for the record, plus the page's text for the secret scan. */
  async function shot(p: Popover, name: string): Promise<void> {
    await p.page.screenshot({ path: join(SHOTS, `${name}.png`) });
    texts.push(await p.page.innerText('body'));
  }

  const tab = (p: Popover, view: string) => p.page.click(`button[data-view="${view}"]`);

  /** Waits for a fix step's panel; a fix error shown instead fails with its text. */
  async function fixStep(selector: string, timeout: number): Promise<void> {
    const shown = await popover.page.waitForSelector(`${selector}, [data-testid="fix-error"]`, { timeout });
    if (await shown.getAttribute('data-testid') === 'fix-error') assert.fail(`the fix failed: ${await shown.innerText()}`);
  }

  it('opens the first-run wizard, which finds the gateway and says so in plain words', async () => {
    const { page } = popover;
    await page.waitForSelector('[data-testid="wizard"]', { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="check-gateway"]')?.textContent?.includes('Found it'), null, { timeout: 20_000 });
    const said = await page.innerText('[data-testid="check-gateway"]');
    assert.match(said, /ai\.openclaw\.gateway answers on port \d+, version 2026\.9\.6/);
    await page.waitForFunction(() => !document.querySelector('.check-list')?.textContent?.includes('checking'), null, { timeout: 20_000 }).catch(() => undefined);
    await shot(popover, 'first-run-wizard');
    await page.keyboard.press('Tab');
    await page.click('[data-testid="wizard-next"]');
    assert.match(await page.innerText('[data-testid="check-exposure"]'), /Only this Mac can reach the gateway/);
  });

  it('shows the real gateway healthy on the overview, with version, port, bind and a latency line', async () => {
    const { page } = popover;
    await tab(popover, 'overview');
    await page.waitForSelector('[data-testid="tile-gateway"][data-state="ok"]', { timeout: 15_000 });
    await page.waitForSelector('[data-testid="tile-clock"][data-state="ok"]', { timeout: 20_000 });
    await page.waitForSelector('[data-testid="tile-listeners"]:not([data-state="loading"])', { timeout: 20_000 });
    await page.waitForFunction(() => document.querySelectorAll('.gateway-card .spark-line').length === 1, null, { timeout: 10_000 });
    const card = await page.innerText('[data-testid="gateway-card"]');
    assert.match(card, /2026\.9\.6/);
    assert.match(card, new RegExp(String(world.service.port)));
    assert.match(card, /loopback/);
    assert.match(await page.innerText('[data-testid="tile-gateway"]'), /\d+(\.\d)? ms/);
    await shot(popover, 'overview');
    const dark = await open('dark');
    await tab(dark, 'overview');
    await dark.page.waitForSelector('[data-testid="tile-gateway"][data-state="ok"]', { timeout: 10_000 });
    await shot(dark, 'overview-dark');
  });

  it('runs the probes in the daemon world and shows the untrusted CA as tls-trust with its fix', async () => {
    const { page } = popover;
    await tab(popover, 'probes');
    await page.click('[data-testid="run-probes"]');
    const row = `[data-target="https://localhost:${world.nginxPort}/"]`;
    await page.waitForSelector(`${row}[data-layer="tls-trust"]`, { timeout: 60_000 });
    await page.click(`${row} button.row`);
    assert.match(await page.innerText('[data-testid="tls-issuer"]'), /Corp Inspection CA/);
    const details = await page.innerText('[data-testid="probe-details"]');
    assert.match(details, /clawbar fix ca/);
    assert.ok(await page.isVisible('[data-testid="open-fix"]'));
    assert.equal(await page.getAttribute('[data-target$="/health"]', 'data-layer'), 'ok');
    await page.waitForSelector('[data-testid="run-probes"]:not([disabled])', { timeout: 10_000 });
    await page.locator('[data-testid="open-fix"]').scrollIntoViewIfNeeded();
    await shot(popover, 'probe-tls-trust');
    const dark = await open('dark');
    await tab(dark, 'probes');
    await dark.page.click(`${row} button.row`);
    await dark.page.locator('[data-testid="open-fix"]').scrollIntoViewIfNeeded();
    await shot(dark, 'probe-tls-trust-dark');
  });

  it('applies the CA fix through the wizard (preview, pre-flight, apply, verify) and rolls it back byte for byte', async () => {
    const { page } = popover;
    const envBefore = await readFile(world.service.envFilePath);
    const noticesBefore = notices.length;
    await page.click('[data-testid="open-fix"]');
    assert.equal(await page.isChecked('input[data-kind="ca"]'), true, 'the CA fix is preselected from the probe');
    await page.fill('[data-testid="fix-cert"]', world.pki.caCert);
    await page.click('[data-testid="fix-preview"]');
    await fixStep('[data-testid="fix-preview-panel"]', 60_000);
    assert.match(await page.innerText('[data-testid="fix-preview-panel"]'), /\+.*NODE_EXTRA_CA_CERTS/);
    await shot(popover, 'fix-preview');
    await page.click('[data-testid="fix-next"]');
    const verdict = await page.innerText('[data-testid="preflight-verdict"]');
    assert.ok(verdict.length > 0);
    await shot(popover, 'fix-preflight');
    await page.click('[data-testid="fix-apply"]');
    await fixStep('[data-testid="fix-verify"]', 180_000);
    const verified = await page.innerText('[data-testid="fix-verify"]');
    assert.match(verified, /Verified/, verified);
    assert.match(await readFile(world.service.envFilePath, 'utf8'), /NODE_EXTRA_CA_CERTS/);
    const healed = agent.getState().lastProbe?.results.find((r) => r.target === `https://localhost:${world.nginxPort}/`);
    assert.equal(healed?.ok, true, 'the probe after the fix passes');
    await shot(popover, 'fix-verified');
    await page.click('[data-testid="fix-rollback"]');
    await fixStep('[data-testid="rollback-result"]', 180_000);
    assert.match(await page.innerText('[data-testid="rollback-result"]'), /Rolled back/);
    assert.deepEqual(await readFile(world.service.envFilePath), envBefore);
    await page.waitForFunction(() => document.querySelector('[data-testid="fix-history"]')?.textContent?.includes('rolled-back'), null, { timeout: 10_000 });
    await shot(popover, 'fix-rolled-back');
    assert.deepEqual(notices.slice(noticesBefore).filter((n) => n.id === 'gateway.down'), [], 'the restarts a fix makes on purpose raise no "gateway down"');
  });

  it('shows listeners with exposure and a saved baseline, the environment with sources and redacted secrets, and history', async () => {
    const { page } = popover;
    await tab(popover, 'listeners');
    await page.waitForSelector(`[data-port="${world.service.port}"]`, { timeout: 15_000 });
    assert.match(await page.innerText(`[data-port="${world.service.port}"]`), /loopback/);
    await page.click('[data-testid="save-baseline"]');
    await page.waitForFunction(() => document.body.innerText.includes('Saved '), null, { timeout: 15_000 });
    await shot(popover, 'listeners');
    await tab(popover, 'environment');
    await page.waitForSelector('[data-var="OPENAI_API_KEY"]', { timeout: 15_000 });
    assert.match(await page.innerText('[data-var="OPENAI_API_KEY"]'), /redacted/);
    assert.match(await page.innerText('[data-var="OPENCLAW_GATEWAY_TOKEN"]'), /redacted\s*file/);
    await shot(popover, 'environment');
    await tab(popover, 'history');
    await page.waitForSelector('.run-list li', { timeout: 10_000 });
    await shot(popover, 'history');
  });

  it('turns the gateway tile red within two health intervals of the gateway stopping, and notifies once', async () => {
    const { page } = popover;
    await tab(popover, 'overview');
    await page.waitForSelector('[data-testid="tile-gateway"][data-state="ok"]', { timeout: 60_000 });
    const noticesBefore = notices.length;
    await world.launchd.stopAll();
    const stopped = Date.now();
    await page.waitForSelector('[data-testid="tile-gateway"][data-state="critical"]', { timeout: 10_000 });
    const elapsed = Date.now() - stopped;
    // Two failed samples, one interval apart, plus the time to fail and render each.
    assert.ok(elapsed <= 2 * HEALTH_MS + 1_000, `red after ${elapsed} ms`);
    assert.equal((await page.innerText('[data-testid="overall"]')).trim(), 'critical');
    await new Promise((resolve) => setTimeout(resolve, 3 * HEALTH_MS));
    assert.deepEqual(notices.slice(noticesBefore).filter((n) => n.id === 'gateway.down').map((n) => n.view), ['overview']);
    await shot(popover, 'overview-gateway-down');
  });

  it('lets no seeded secret into any IPC message, page text or copied report, and loads nothing remote', async () => {
    await tab(popover, 'overview');
    await popover.page.click('text=Copy diagnostics report');
    await popover.page.waitForFunction(() => document.body.innerText.includes('Copied '), null, { timeout: 10_000 });
    assert.equal(copied.length, 1);
    assert.match(copied[0]!, /## Gateway health[\s\S]*\*\*down\*\* at http:\/\/127\.0\.0\.1:/, "the copied report is the diagnostics report, with the gateway down");
    assert.match(copied[0]!, /## Fix history[\s\S]*rolled-back/);
    const messages = popovers.flatMap((p) => p.messages);
    assert.ok(messages.some((m) => m.channel === 'env:get' && m.kind === 'response'));
    const everything = [JSON.stringify(messages), ...texts, ...copied, JSON.stringify(notices)].join('\n');
    for (const secret of Object.values(SECRETS)) assert.ok(!everything.includes(secret), 'a seeded secret crossed the bridge');
    assert.deepEqual(popovers.flatMap((p) => p.blocked), []);
    await mkdir(join(ROOT, 'docs', 'screenshots'), { recursive: true });
    for (const name of ['overview', 'probe-tls-trust', 'first-run-wizard']) await copyFile(join(SHOTS, `${name}.png`), join(ROOT, 'docs', 'screenshots', `${name}.png`));
  });
});
