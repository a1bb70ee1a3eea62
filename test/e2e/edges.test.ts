import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Agent } from '../../main/agent/agent.ts';
import { startNginx, type RunningNginx } from '../peers/nginx.ts';
import { launchChromium, openPopover, type Popover } from './helpers/bridge.ts';
import { buildRenderer, ROOT } from './helpers/renderer.ts';
import { makeWorld, SECRETS, worldAgent, type E2EWorld } from './helpers/world.ts';
import { subdir } from '../helpers/world.ts';

const SHOTS = join(ROOT, 'test-output', 'screenshots');

describe('the popover shows the ways in and why the gateway is down', { timeout: 420_000 }, () => {
  let world: E2EWorld;
  let browser: Browser;
  let agent: Agent;
  let popover: Popover;
  let nginx: RunningNginx;

  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    [world] = await Promise.all([makeWorld(), buildRenderer()]);
    // A TLS edge in front of the real gateway that still speaks TLS 1.0.
    const leaf = await world.pki.issue('edge', { sans: ['localhost', 'IP:127.0.0.1'] });
    nginx = await startNginx({ dir: await subdir(world.home, 'edge'), vhosts: [{ name: 'edge', serverNames: ['localhost'], cert: leaf.chain, key: leaf.key, protocols: 'TLSv1 TLSv1.1 TLSv1.2', proxyPass: `http://127.0.0.1:${world.service.port}` }] });
    browser = await launchChromium();
    agent = worldAgent(world, { intervals: { healthMs: 1_000, listenersMs: 3_000, clockMs: 5_000, probesMs: 3_600_000, serviceMs: 3_600_000 } });
    await agent.completeFirstRun();
    await agent.start();
    popover = await openPopover(browser, agent, { colorScheme: 'light' });
  });
  after(async () => {
    await agent?.stop();
    await popover?.close().catch(() => undefined);
    await browser?.close();
    await nginx?.stop();
    await world?.stop();
  });

  it('the Ways in card names the TLS 1.0 edge; the finding is on the overview', async () => {
    const { page } = popover;
    await page.click('button[data-view="overview"]');
    await page.waitForSelector('[data-testid="tile-gateway"][data-state="ok"]', { timeout: 60_000 });
    await page.waitForSelector('[data-testid="edges-card"]', { timeout: 60_000 });
    await page.waitForFunction((port) => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('[data-testid="edges-proxies"]')?.textContent?.includes(`:${port}`), nginx.port('edge'), { timeout: 60_000 });
    const card = await page.innerText('[data-testid="edges-card"]');
    assert.match(card, new RegExp(`nginx :${nginx.port('edge')} TLS 1\\.0/1\\.1/1\\.2`));
    assert.match(card, /critical/);
    assert.ok((await page.innerText('body')).includes('accepts TLSv1 and TLSv1.1'));
    await page.screenshot({ path: join(SHOTS, 'overview-edges.png'), fullPage: true });
  });

  it('the gateway tile and card say why it is down once launchd no longer has the job', async () => {
    const { page } = popover;
    await world.launchd.stopAll();
    await page.waitForSelector('[data-testid="tile-gateway"][data-state="critical"]', { timeout: 15_000 });
    // A look taken while launchd is still taking the job down (its process exited, not yet reaped) says so first; the next says the job is gone.
    await page.waitForFunction(() => /not loaded in launchd/.test((globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('[data-testid="down-verdict"]')?.textContent ?? ''), undefined, { timeout: 30_000 })
      .catch(() => undefined);
    const verdict = await page.innerText('[data-testid="down-verdict"]');
    assert.match(verdict, /The gateway service is not loaded in launchd/);
    assert.match(verdict, /run: launchctl bootstrap gui\/\d+ .*ai\.openclaw\.gateway\.plist/);
    assert.match(await page.innerText('[data-testid="tile-gateway"]'), /not loaded/);
    await page.screenshot({ path: join(SHOTS, 'overview-gateway-down-verdict.png'), fullPage: true });
    const everything = JSON.stringify(popover.messages) + (await page.innerText('body'));
    for (const secret of Object.values(SECRETS)) assert.ok(!everything.includes(secret), 'a seeded secret crossed the bridge');
  });
});
