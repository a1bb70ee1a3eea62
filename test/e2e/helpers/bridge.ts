import { chromium, type Browser, type Page } from 'playwright-core';
import type { Agent } from '../../../main/agent/agent.ts';
import { createHandlers, type HandlerHooks } from '../../../main/agent/handlers.ts';
import { EVENTS, INVOKE, type EventChannel, type InvokeChannel } from '../../../main/ipc-contract.ts';
import { API_CHANNELS, EVENT_SUBSCRIPTIONS } from '../../../preload/api.ts';
import { ORIGIN, serveRenderer } from './renderer.ts';

/**
 * Headless Chromium with loopback-only networking: every host name fails to
 * resolve, background services are off, and the page's own requests are
 * answered by page.route (see renderer.ts).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE [::1]',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
      '--disable-features=OptimizationHints,MediaRouter,Translate', '--proxy-server=direct://',
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ],
    timeout: 30_000,
  });
}

/** Everything that crossed the bridge, in order, for the secret scan. */
export interface Recorded { kind: 'request' | 'response' | 'error' | 'event'; channel: string; data: unknown }

export interface Popover {
  page: Page;
  messages: Recorded[];
  blocked: string[];
  close: () => Promise<void>;
}

/** In the page: `window.clawbar` with the preload's exact shape, forwarding to the test process. */
function installApi(maps: { invoke: Record<string, string>; events: Record<string, string> }): void {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const api: Record<string, unknown> = {};
  // Looked up per call: the binding is attached to the page separately from this script.
  const invoke = (channel: string, request: unknown) => (globalThis as unknown as { __clawbarInvoke: (c: string, r: unknown) => Promise<unknown> }).__clawbarInvoke(channel, request);
  for (const [name, channel] of Object.entries(maps.invoke)) api[name] = (request: unknown = {}) => invoke(channel, request);
  for (const [name, channel] of Object.entries(maps.events)) {
    listeners.set(channel, new Set());
    api[name] = (listener: (payload: unknown) => void) => {
      listeners.get(channel)!.add(listener);
      return () => { listeners.get(channel)!.delete(listener); };
    };
  }
  Object.defineProperty(globalThis, '__clawbarEmit', { value: (channel: string, payload: unknown) => listeners.get(channel)?.forEach((l) => l(payload)) });
  Object.defineProperty(globalThis, 'clawbar', { value: Object.freeze(api) });
}

/**
 * Opens the built renderer at popover size with `window.clawbar` bridged to
 * createHandlers(agent): requests are parsed with the contract's schemas as
 * main/app does, responses and events are checked against theirs too.
 */
export async function openPopover(browser: Browser, agent: Agent, options: { colorScheme?: 'light' | 'dark'; hooks?: HandlerHooks } = {}): Promise<Popover> {
  const context = await browser.newContext({ viewport: { width: 420, height: 600 }, colorScheme: options.colorScheme ?? 'light', deviceScaleFactor: 2 });
  const page = await context.newPage();
  const messages: Recorded[] = [];
  const blocked: string[] = [];
  const handlers = createHandlers(agent, options.hooks);
  await page.exposeBinding('__clawbarInvoke', async (_source, channel: InvokeChannel, raw: unknown) => {
    const contract = INVOKE[channel];
    if (!contract) throw new Error(`unknown channel ${channel}`);
    messages.push({ kind: 'request', channel, data: raw });
    try {
      const request = contract.request.parse(raw);
      const response = contract.response.parse(await (handlers[channel] as (r: unknown) => Promise<unknown>)(request));
      messages.push({ kind: 'response', channel, data: response });
      return response;
    } catch (error) {
      messages.push({ kind: 'error', channel, data: (error as Error).message });
      throw error;
    }
  });
  await page.addInitScript(installApi, { invoke: API_CHANNELS, events: EVENT_SUBSCRIPTIONS });
  const forward = (channel: EventChannel) => (payload: unknown) => {
    const checked = EVENTS[channel].parse(payload);
    messages.push({ kind: 'event', channel, data: checked });
    void page.evaluate(([c, p]) => (globalThis as unknown as { __clawbarEmit: (c: string, p: unknown) => void }).__clawbarEmit(c as string, p), [channel, checked] as const).catch(() => undefined);
  };
  const onState = forward('state');
  const onProgress = forward('progress');
  agent.on('state', onState);
  agent.on('progress', onProgress);
  await serveRenderer(page, blocked);
  await page.goto(`${ORIGIN}/index.html`);
  return {
    page, messages, blocked,
    close: async () => {
      agent.off('state', onState);
      agent.off('progress', onProgress);
      await context.close();
    },
  };
}

/** Main's 'view' event, as the tray menu or a notification click sends it. */
export async function sendView(popover: Popover, view: string): Promise<void> {
  const payload = EVENTS.view.parse({ view });
  popover.messages.push({ kind: 'event', channel: 'view', data: payload });
  await popover.page.evaluate((p) => (globalThis as unknown as { __clawbarEmit: (c: string, p: unknown) => void }).__clawbarEmit('view', p), payload);
}
