/**
 * The one hand-written `electron` mock: just the surface main/app uses, each
 * part recording what was asked of it so tests can assert on the glue without
 * an Electron binary (which cannot run on the Linux test machines). Loaded in
 * place of 'electron' by test/helpers/electron-mock.ts.
 */
import { EventEmitter } from 'node:events';

interface Rect { x: number; y: number; width: number; height: number }
interface MockDisplay { id: number; bounds: Rect; workArea: Rect }

/** Everything the mock recorded, cleared by `resetElectronMock`. */
export const calls = {
  quit: 0,
  dockHidden: 0,
  loginItems: [] as unknown[],
  applicationMenu: null as unknown,
  privileged: [] as unknown[],
  opened: [] as string[],
  openedExternal: [] as string[],
  notifications: [] as MockNotification[],
  clipboard: '',
  errorBoxes: [] as Array<{ title: string; content: string }>,
};

export const app = Object.assign(new EventEmitter(), {
  isPackaged: false,
  singleInstance: true,
  appPath: '/app',
  requestSingleInstanceLock: () => app.singleInstance,
  whenReady: () => Promise.resolve(),
  quit: () => { calls.quit++; },
  getAppPath: () => app.appPath,
  getPath: (name: string) => `/mock/${name}`,
  getVersion: () => '0.0.0-mock',
  setLoginItemSettings: (settings: unknown) => { calls.loginItems.push(settings); },
  dock: { hide: () => { calls.dockHidden++; } },
});

let nextId = 1;

export class MockWebFrame {
  url: string;
  parent: MockWebFrame | null = null;
  constructor(url: string) { this.url = url; }
}

export class MockWebContents extends EventEmitter {
  id = nextId++;
  sent: Array<{ channel: string; payload: unknown }> = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  mainFrame = new MockWebFrame('app://clawbar/index.html');
  loaded: string[] = [];
  send(channel: string, payload: unknown) { this.sent.push({ channel, payload }); }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) { this.windowOpenHandler = handler; }
  loadURL(url: string) { this.loaded.push(url); return Promise.resolve(); }
  isDestroyed() { return false; }
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  options: Record<string, any>;
  webContents = new MockWebContents();
  visible = false;
  position: [number, number] = [0, 0];
  destroyed = false;
  constructor(options: Record<string, any> = {}) {
    super();
    this.options = options;
    BrowserWindow.instances.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL(url: string) { return this.webContents.loadURL(url); }
  show() { this.visible = true; this.emit('show'); }
  hide() { this.visible = false; this.emit('hide'); }
  focus() {}
  isVisible() { return this.visible; }
  isDestroyed() { return this.destroyed; }
  destroy() { this.destroyed = true; }
  setPosition(x: number, y: number) { this.position = [x, y]; }
  setVisibleOnAllWorkspaces() {}
  getSize() { return [this.options.width ?? 0, this.options.height ?? 0]; }
}

export const ipcMain = Object.assign(new EventEmitter(), {
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  handle(channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  },
  removeHandler(channel: string) { this.handlers.delete(channel); },
  /** What `ipcRenderer.invoke` does, minus the process hop. */
  invoke(channel: string, event: unknown, ...args: unknown[]) {
    const handler = this.handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return Promise.resolve().then(() => handler(event, ...args));
  },
});

export const protocol = {
  handlers: new Map<string, (request: Request) => Response | Promise<Response>>(),
  registerSchemesAsPrivileged(schemes: unknown[]) { calls.privileged.push(...schemes); },
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>) { this.handlers.set(scheme, handler); },
};

type PermissionHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;
export const session = {
  defaultSession: {
    permissionRequestHandler: null as PermissionHandler | null,
    permissionCheckHandler: null as ((...args: unknown[]) => boolean) | null,
    beforeRequest: null as { filter: unknown; listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void } | null,
    setPermissionRequestHandler(handler: PermissionHandler) { this.permissionRequestHandler = handler; },
    setPermissionCheckHandler(handler: (...args: unknown[]) => boolean) { this.permissionCheckHandler = handler; },
    webRequest: {
      onBeforeRequest(filter: unknown, listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void) {
        session.defaultSession.beforeRequest = { filter, listener };
      },
    },
  },
};

export class MockImage {
  path: string;
  template = false;
  constructor(path: string) { this.path = path; }
  setTemplateImage(value: boolean) { this.template = value; }
  isTemplateImage() { return this.template; }
  isEmpty() { return false; }
}
export const nativeImage = { createFromPath: (path: string) => new MockImage(path) };

export class Tray extends EventEmitter {
  static instances: Tray[] = [];
  image: MockImage;
  title = '';
  tooltip = '';
  poppedUp: unknown[] = [];
  bounds: Rect = { x: 1000, y: 0, width: 24, height: 24 };
  constructor(image: MockImage) {
    super();
    this.image = image;
    Tray.instances.push(this);
  }
  setImage(image: MockImage) { this.image = image; }
  setTitle(title: string) { this.title = title; }
  setToolTip(tooltip: string) { this.tooltip = tooltip; }
  getBounds() { return this.bounds; }
  popUpContextMenu(menu: unknown) { this.poppedUp.push(menu); }
  destroy() {}
}

export const Menu = {
  buildFromTemplate: (template: unknown[]) => ({ items: template }),
  setApplicationMenu: (menu: unknown) => { calls.applicationMenu = menu; },
};

export class MockNotification extends EventEmitter {
  options: { title: string; body: string };
  shown = false;
  constructor(options: { title: string; body: string }) {
    super();
    this.options = options;
    calls.notifications.push(this);
  }
  static isSupported() { return true; }
  show() { this.shown = true; }
}
export { MockNotification as Notification };

export const screen = {
  displays: [{ id: 1, bounds: { x: 0, y: 0, width: 1440, height: 900 }, workArea: { x: 0, y: 25, width: 1440, height: 875 } }] as MockDisplay[],
  cursor: { x: 0, y: 0 },
  getAllDisplays: () => screen.displays,
  getCursorScreenPoint: () => screen.cursor,
};

export const powerMonitor = new EventEmitter();

export const shell = {
  openPathResult: '',
  openPath: async (path: string) => { calls.opened.push(path); return shell.openPathResult; },
  openExternal: async (url: string) => { calls.openedExternal.push(url); },
};

export const clipboard = { writeText: (text: string) => { calls.clipboard = text; } };

export const dialog = { showErrorBox: (title: string, content: string) => { calls.errorBoxes.push({ title, content }); } };

export const nativeTheme = new EventEmitter();

/** Forget everything recorded, between tests. */
export function resetElectronMock(): void {
  calls.quit = 0;
  calls.dockHidden = 0;
  calls.loginItems = [];
  calls.applicationMenu = null;
  calls.privileged = [];
  calls.opened = [];
  calls.openedExternal = [];
  calls.notifications = [];
  calls.clipboard = '';
  calls.errorBoxes = [];
  app.removeAllListeners();
  app.isPackaged = false;
  app.singleInstance = true;
  powerMonitor.removeAllListeners();
  ipcMain.handlers.clear();
  ipcMain.removeAllListeners();
  protocol.handlers.clear();
  session.defaultSession.permissionRequestHandler = null;
  session.defaultSession.permissionCheckHandler = null;
  session.defaultSession.beforeRequest = null;
  BrowserWindow.instances = [];
  Tray.instances = [];
  shell.openPathResult = '';
}

export default {
  app, BrowserWindow, ipcMain, protocol, session, nativeImage, Tray, Menu, Notification: MockNotification,
  screen, powerMonitor, shell, clipboard, dialog, nativeTheme,
};
