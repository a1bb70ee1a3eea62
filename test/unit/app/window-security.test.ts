import '../../helpers/electron-mock.ts';
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { BrowserWindow, MockWebContents, MockWebFrame, resetElectronMock, screen, session } from '../../mocks/electron.ts';

const { createPopover, POPOVER_SIZE } = await import('../../../main/app/popover.ts');
const { hardenContents, isAppUrl, lockDownSession, trustedSender } = await import('../../../main/app/window-security.ts');

const preventable = () => {
  const event = { prevented: false, preventDefault() { event.prevented = true; } };
  return event;
};

describe('popover window security', () => {
  beforeEach(() => resetElectronMock());

  it('creates an isolated, sandboxed window without Node, with web security on and our preload', () => {
    createPopover({ preload: '/app/out/preload/index.cjs', devTools: false, send: () => {} });
    const [window] = BrowserWindow.instances;
    const prefs = window!.options.webPreferences;
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.devTools, false);
    assert.equal(prefs.preload, '/app/out/preload/index.cjs');
    assert.deepEqual(window!.webContents.loaded, ['app://clawbar/index.html'], 'only our own page, from app://');
  });

  it('denies navigation, redirects, webviews and window.open', () => {
    const contents = new MockWebContents();
    hardenContents(contents as never);
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const event = preventable();
      contents.emit(name, event, 'https://evil.example/');
      assert.equal(event.prevented, true, name);
    }
    assert.deepEqual(contents.windowOpenHandler!({ url: 'https://evil.example/' }), { action: 'deny' });
  });

  it('denies every permission request and check, and cancels remote requests', () => {
    lockDownSession(session.defaultSession as never);
    const answers: boolean[] = [];
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      session.defaultSession.permissionRequestHandler!(null, permission, (granted) => answers.push(granted));
    }
    assert.deepEqual(answers, [false, false, false, false, false]);
    assert.equal(session.defaultSession.permissionCheckHandler!(), false);
    const blocked = session.defaultSession.beforeRequest!;
    assert.ok((blocked.filter as { urls: string[] }).urls.includes('https://*/*'));
    let cancelled: boolean | undefined;
    blocked.listener({ url: 'https://cdn.example/x.js' }, (response) => { cancelled = response.cancel; });
    assert.equal(cancelled, true);
  });

  it('accepts IPC only from the popover\'s own main frame showing app://clawbar', () => {
    const ours = new MockWebContents();
    const check = trustedSender(() => ours as never);
    const event = (sender: unknown, url: string | null, parent: MockWebFrame | null = null) => {
      const frame = url === null ? null : Object.assign(new MockWebFrame(url), { parent });
      return { sender, senderFrame: frame } as never;
    };
    assert.equal(check(event(ours, 'app://clawbar/index.html')), true);
    assert.equal(check(event(new MockWebContents(), 'app://clawbar/index.html')), false, 'another web contents');
    assert.equal(check(event(ours, 'https://evil.example/')), false, 'navigated away');
    assert.equal(check(event(ours, 'app://clawbar.evil/index.html')), false);
    assert.equal(check(event(ours, 'app://clawbar/frame.html', new MockWebFrame('app://clawbar/index.html'))), false, 'a subframe');
    assert.equal(check(event(ours, null)), false, 'a frame that is gone');
    assert.equal(trustedSender(() => null)(event(ours, 'app://clawbar/index.html')), false, 'no window yet');
    assert.equal(isAppUrl('app://clawbar'), true);
    assert.equal(isAppUrl(undefined), false);
    assert.equal(isAppUrl('::'), false);
  });

  it('anchors under the tray, hides on blur and on close, and sends a view once the page has loaded', () => {
    screen.displays = [{ id: 1, bounds: { x: 0, y: 0, width: 1440, height: 900 }, workArea: { x: 0, y: 24, width: 1440, height: 876 } }];
    const views: string[] = [];
    let now = 0;
    const popover = createPopover({ preload: '/p.cjs', devTools: false, send: (_contents, view) => views.push(view), now: () => now });
    const window = BrowserWindow.instances[0]!;
    popover.showView('probes', { x: 1000, y: 0, width: 24, height: 24 });
    assert.equal(window.visible, true);
    assert.deepEqual(window.position, [1012 - POPOVER_SIZE.width / 2, 24]);
    assert.deepEqual(views, [], 'not before the page loaded');
    window.webContents.emit('did-finish-load');
    assert.deepEqual(views, ['probes']);
    popover.showView('listeners', { x: 1000, y: 0, width: 24, height: 24 });
    assert.deepEqual(views, ['probes', 'listeners']);
    window.emit('blur');
    assert.equal(window.visible, false);
    popover.toggle({ x: 1000, y: 0, width: 24, height: 24 });
    assert.equal(window.visible, false, 'the click on the icon that blurred it does not reopen it');
    now = 1000;
    popover.toggle({ x: 1000, y: 0, width: 24, height: 24 });
    assert.equal(window.visible, true);
    popover.toggle({ x: 1000, y: 0, width: 24, height: 24 });
    assert.equal(window.visible, false);
    const close = preventable();
    window.emit('close', close);
    assert.equal(close.prevented, true, 'closing only hides');
    popover.release();
    const quitting = preventable();
    window.emit('close', quitting);
    assert.equal(quitting.prevented, false, 'the app is quitting');
  });
});
