import type { IpcMainInvokeEvent, Session, WebContents, WebPreferences } from 'electron';
import { APP_HOST, APP_SCHEME } from './protocol.ts';

/**
 * The hardening every window of the app gets (the Electron security
 * checklist): an isolated, sandboxed renderer without Node, no navigation,
 * no new windows, no permissions, no remote content, and IPC accepted only
 * from our own page.
 */

/** webPreferences for the popover: the preload is the renderer's only door into main. */
export function secureWebPreferences(preload: string, devTools: boolean): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    devTools,
  };
}

/** The renderer is a single page: any navigation, redirect, new window or webview is refused. */
export function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Web requests the app never makes; anything else than app:// (and DevTools) is cancelled at the network layer. */
export const REMOTE_URL_PATTERNS = ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'file://*/*', 'ftp://*/*'];

/** Permissions (camera, notifications from the page, clipboard reads…) are all denied; remote loads cancelled. */
export function lockDownSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onBeforeRequest({ urls: REMOTE_URL_PATTERNS }, (_details, callback) => callback({ cancel: true }));
}

/** Whether a URL is our renderer's origin (a custom scheme's URL.origin is "null", so compare the parts). */
export function isAppUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * IPC is accepted only from the popover's own web contents, from its main
 * frame, showing our app:// page — not from a subframe or anything that
 * managed to navigate.
 */
export function trustedSender(ours: () => WebContents | null): (event: IpcMainInvokeEvent) => boolean {
  return (event) => {
    const contents = ours();
    const frame = event.senderFrame;
    return contents !== null && event.sender === contents && frame !== null && frame.parent === null && isAppUrl(frame.url);
  };
}
