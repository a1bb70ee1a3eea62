import { BrowserWindow, screen, type Rectangle, type WebContents } from 'electron';
import type { ViewName } from '../ipc-contract.ts';
import { popoverPosition } from './popover-position.ts';
import { APP_URL } from './protocol.ts';
import { secureWebPreferences } from './window-security.ts';

/**
 * The dashboard: a frameless window anchored under the tray icon that hides
 * when it loses focus, like a native menu-bar popover. Closing it only hides
 * it, so the renderer keeps its state between glances. Navigation and new
 * windows are refused for every web contents in index.ts (hardenContents).
 */

/** Matches the renderer's viewport (renderer/index.html). */
export const POPOVER_SIZE = { width: 420, height: 600 };

export interface Popover {
  readonly window: BrowserWindow;
  readonly contents: () => WebContents | null;
  toggle(anchor: Rectangle): void;
  show(anchor: Rectangle): void;
  /** Shows the popover on a view (menu item, notification click); sent once the page has loaded. */
  showView(view: ViewName, anchor: Rectangle): void;
  /** Lets the window really close (app quitting). */
  release(): void;
}

/**
 * A click on the tray icon while the popover is open first blurs (and hides)
 * it; a toggle that soon after is that same click and must not reopen it.
 */
const BLUR_CLICK_MS = 300;

/** Creates the (hidden) popover and loads the renderer right away, so the first click shows a ready page. */
export function createPopover(options: { preload: string; devTools: boolean; send: (contents: WebContents, view: ViewName) => void; now?: () => number }): Popover {
  const now = options.now ?? Date.now;
  const window = new BrowserWindow({
    ...POPOVER_SIZE,
    show: false,
    frame: false,
    resizable: false,
    movable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    skipTaskbar: true,
    alwaysOnTop: true,
    webPreferences: secureWebPreferences(options.preload, options.devTools),
  });
  // Appear on the Space (and over the full-screen app) the operator is looking at.
  window.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
  let loaded = false;
  let pendingView: ViewName | null = null;
  let closable = false;
  window.webContents.on('did-finish-load', () => {
    loaded = true;
    if (pendingView) options.send(window.webContents, pendingView);
    pendingView = null;
  });
  let hiddenByBlurAt = -Infinity;
  window.on('blur', () => {
    hiddenByBlurAt = now();
    window.hide();
  });
  window.on('close', (event) => { if (!closable) { event.preventDefault(); window.hide(); } });
  void window.loadURL(APP_URL);

  const show = (anchor: Rectangle) => {
    const { x, y } = popoverPosition(anchor, POPOVER_SIZE, screen.getAllDisplays());
    window.setPosition(x, y, false);
    window.show();
    window.focus();
  };
  return {
    window,
    contents: () => (window.isDestroyed() ? null : window.webContents),
    show,
    toggle: (anchor) => {
      if (window.isVisible()) window.hide();
      else if (now() - hiddenByBlurAt > BLUR_CLICK_MS) show(anchor);
    },
    showView: (view, anchor) => {
      if (loaded) options.send(window.webContents, view);
      else pendingView = view;
      show(anchor);
    },
    release: () => { closable = true; },
  };
}
