import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { build } from 'vite';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const RENDERER_OUT = join(ROOT, 'out', 'renderer');
/** The page's origin: never resolved, every request to it is answered from out/renderer by page.route. */
export const ORIGIN = 'http://clawbar.localhost';
export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'";

let built: Promise<unknown> | null = null;

/** Builds the renderer once per test process with Vite's JS API, exactly as the app's build does. */
export function buildRenderer(): Promise<unknown> {
  built ??= build({ configFile: join(ROOT, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
  return built;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

/**
 * Serves the built files at ORIGIN with the CSP header main sets, and aborts
 * (and records) every other request: the popover must load nothing remote.
 */
export async function serveRenderer(page: Page, blocked: string[]): Promise<void> {
  await page.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== ORIGIN) {
      blocked.push(route.request().url());
      return route.abort('blockedbyclient');
    }
    const path = normalize(join(RENDERER_OUT, url.pathname === '/' ? 'index.html' : url.pathname));
    if (!path.startsWith(RENDERER_OUT)) return route.fulfill({ status: 403, body: 'outside the renderer' });
    try {
      const body = await readFile(path);
      return route.fulfill({ status: 200, body, headers: { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'content-security-policy': CSP } });
    } catch {
      return route.fulfill({ status: 404, body: 'not found' });
    }
  });
}
