import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, join, relative } from 'node:path';
import { protocol } from 'electron';

/**
 * The renderer is served from `app://clawbar/` rather than file://, so it has
 * a real origin (for the sender check and CSP 'self'), no access to the rest
 * of the disk, and a strict Content-Security-Policy on every response.
 */

/** The renderer's origin is app://clawbar: the sender check and CSP 'self' both rest on it. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'clawbar';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Only our own scripts and styles, no network at all (everything goes
 * through IPC), no plugins, frames, forms or base-URL tricks. Inline styles
 * set through the CSSOM (Preact's style props) are not affected by style-src.
 */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

const HEADERS = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

const refuse = (status: number, text: string) => new Response(text, { status, headers: { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });

/** The file under `root` a request names, or null when it would leave `root` (or is not ours to serve). */
export function resolveRequestPath(root: string, url: string): string | null {
  let parsed: URL;
  try { parsed = new URL(url); } catch { return null; }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let path: string;
  try { path = decodeURIComponent(parsed.pathname); } catch { return null; }
  // Encoded separators and NULs (%2F, %5C, %00) survive URL normalisation; refuse them after decoding.
  if (path.includes('\0') || path.includes('\\')) return null;
  if (path === '/' || path === '') path = '/index.html';
  const full = join(root, path);
  const rel = relative(root, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return full;
}

/**
 * A protocol.handle handler serving files under `root` (our own build output,
 * inside the asar archive when packaged): GET/HEAD only, traversal refused.
 */
export function createAppHandler(root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'method not allowed');
    const path = resolveRequestPath(root, request.url);
    if (!path) return refuse(403, 'forbidden');
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch {
      return refuse(404, 'not found');
    }
    const headers = { ...HEADERS, 'Content-Type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream' };
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
  };
}

/** Must run before the app is ready: a standard, secure scheme gets an origin, 'self' in CSP and secure-context APIs. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);
}

/** Serves the built renderer (out/renderer) on app://clawbar/. */
export function serveRenderer(root: string): void {
  protocol.handle(APP_SCHEME, createAppHandler(root));
}
