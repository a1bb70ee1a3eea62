import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../../scripts/build-app.ts';
import { INVOKE } from '../../../main/ipc-contract.ts';
import { makeHome, ROOT } from '../../helpers/world.ts';

/**
 * The bundles as the app loads them: built with the real build script into a
 * temporary folder, the preload evaluated the way a sandboxed preload runs,
 * and the main bundle started in a separate Node process whose 'electron' is
 * the mock, with a temporary HOME and only loopback targets.
 */
describe('app bundles', () => {
  let world: Awaited<ReturnType<typeof makeHome>>;
  let out: string;
  before(async () => {
    world = await makeHome('clawbar-bundle-');
    out = join(world.home, 'out');
    await buildApp(out, ['main', 'preload']);
    // Loopback only: the clock check asks a port nobody answers on 127.0.0.1.
    await mkdir(join(world.home, '.config', 'clawbar'), { recursive: true });
    await writeFile(join(world.home, '.config', 'clawbar', 'config.json'), JSON.stringify({ ntpServer: '127.0.0.1:9' }));
  });
  after(() => world.cleanup());

  it('builds a CommonJS preload that needs nothing but electron and exposes named functions only', async () => {
    const code = await readFile(join(out, 'preload', 'index.cjs'), 'utf8');
    assert.deepEqual([...new Set([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]))], ['electron']);
    assert.doesNotMatch(code, /^\s*(import|export)\s/m);
    const exposed: Record<string, Record<string, unknown>> = {};
    const invoked: unknown[][] = [];
    const listeners = new Map<string, (event: unknown, payload: unknown) => void>();
    const electron = {
      contextBridge: { exposeInMainWorld: (name: string, api: Record<string, unknown>) => { exposed[name] = api; } },
      ipcRenderer: {
        invoke: (...args: unknown[]) => { invoked.push(args); return Promise.resolve(); },
        on: (channel: string, listener: (event: unknown, payload: unknown) => void) => { listeners.set(channel, listener); },
        removeListener: (channel: string) => { listeners.delete(channel); },
      },
    };
    const module = { exports: {} };
    runInNewContext(code, { require: (name: string) => { assert.equal(name, 'electron'); return electron; }, module, exports: module.exports });
    const api = exposed.clawbar!;
    assert.ok(Object.values(api).every((value) => typeof value === 'function'));
    assert.equal(Object.keys(api).length, Object.keys(INVOKE).length + 3);
    await (api.getState as () => Promise<unknown>)();
    // Objects made inside the sandbox have its own Object.prototype: compare them as data.
    assert.deepEqual(JSON.parse(JSON.stringify(invoked)), [['state:get', {}]]);
    const got: unknown[] = [];
    const unsubscribe = (api.onView as (listener: (payload: unknown) => void) => () => void)((payload) => got.push(payload));
    listeners.get('view')!({ sender: 'the IPC event' }, { view: 'probes' });
    assert.deepEqual(got, [{ view: 'probes' }], 'the payload only, never the IPC event');
    unsubscribe();
    assert.equal(listeners.has('view'), false);
  });

  async function startMain(singleInstance: boolean): Promise<Record<string, unknown>> {
    const script = join(world.home, `start-${singleInstance}.mjs`);
    const mock = pathToFileURL(join(ROOT, 'test', 'mocks', 'electron.ts')).href;
    await writeFile(script, `
      import { app, calls, ipcMain, Tray, BrowserWindow } from ${JSON.stringify(mock)};
      app.singleInstance = ${singleInstance};
      await import(${JSON.stringify(pathToFileURL(join(out, 'main', 'index.js')).href)});
      const deadline = Date.now() + 10000;
      while (Date.now() < deadline && (calls.quit === 0 && (Tray.instances.length === 0 || ipcMain.handlers.size === 0))) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200));
      console.log(JSON.stringify({
        quit: calls.quit, dockHidden: calls.dockHidden, menu: calls.applicationMenu !== null, privileged: calls.privileged,
        trays: Tray.instances.length, icon: Tray.instances[0]?.image.path, channels: [...ipcMain.handlers.keys()],
        preload: BrowserWindow.instances[0]?.options.webPreferences.preload,
        windowOpen: BrowserWindow.instances[0]?.webContents.windowOpenHandler?.({ url: 'https://example.com/' }).action,
        navigationListeners: BrowserWindow.instances[0]?.webContents.listenerCount('will-navigate'), errors: calls.errorBoxes, loginItems: calls.loginItems,
      }));
      process.exit(0);
    `);
    const env = { PATH: process.env.PATH, HOME: world.home, LANG: 'C' };
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', pathToFileURL(join(ROOT, 'test', 'helpers', 'electron-mock.ts')).href, script], { env, timeout: 30_000 });
    return JSON.parse(stdout.trim().split('\n').at(-1)!);
  }

  it('starts the bundled main process: scheme, Dock, menu, tray, IPC and settings from the shared file', async () => {
    const result = await startMain(true);
    assert.deepEqual(result.errors, []);
    assert.equal(result.quit, 0);
    assert.equal(result.dockHidden, 1);
    assert.equal(result.menu, true);
    assert.deepEqual(result.privileged, [{ scheme: 'app', privileges: { standard: true, secure: true } }]);
    assert.equal(result.trays, 1);
    assert.match(String(result.icon), /main[\\/]app[\\/]assets[\\/]tray-\w+\.png$/);
    assert.deepEqual((result.channels as string[]).sort(), Object.keys(INVOKE).sort());
    assert.equal(result.preload, join('/app', 'out', 'preload', 'index.cjs'));
    assert.equal(result.windowOpen, 'deny', 'every web contents is hardened as it is created');
    assert.equal(result.navigationListeners, 1);
    assert.deepEqual(result.loginItems, [], 'not packaged: no login item');
  });

  it('quits at once when another instance already runs', async () => {
    const result = await startMain(false);
    assert.equal(result.quit, 1);
    assert.equal(result.trays, 0);
    assert.deepEqual(result.channels, []);
  });

  after(() => rm(join(world.home, 'out'), { recursive: true, force: true }));
});
