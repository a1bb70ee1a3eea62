import '../../helpers/electron-mock.ts';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { beforeEach, describe, it } from 'node:test';
import type { Handlers } from '../../../main/agent/handlers.ts';
import { INVOKE, type AgentState } from '../../../main/ipc-contract.ts';
import { Settings } from '../../../main/settings-schema.ts';
import { app, BrowserWindow, calls, ipcMain, powerMonitor, resetElectronMock, shell, Tray } from '../../mocks/electron.ts';
import { agentState, health } from './fixtures.ts';

const { wireApp } = await import('../../../main/app/wiring.ts');

/** The Agent's events and the few methods the shell calls, recording them. */
class FakeAgent extends EventEmitter {
  settings = Settings.parse({});
  state: AgentState = agentState('unknown');
  log: string[] = [];
  getState() { return this.state; }
  async pause() { this.log.push('pause'); }
  async resume() { this.log.push('resume'); }
  async runProbes() { this.log.push('probes'); return {}; }
  async stop() { this.log.push('stop'); }
}

function wire() {
  const agent = new FakeAgent();
  const written: Array<{ settings: Settings; revision: string }> = [];
  const handlers = Object.fromEntries(Object.keys(INVOKE).map((channel) => [channel, async () => ({ copied: true, chars: 42 })])) as unknown as Handlers;
  const store = {
    path: '/tmp/config.json',
    read: async () => ({ settings: agent.settings, revision: 'rev-1' }),
    write: async (settings: Settings, revision: string) => { written.push({ settings, revision }); return { settings, revision: 'rev-2' }; },
  };
  const paths = { renderer: '/app/out/renderer', preload: '/app/out/preload/index.cjs', trayAssets: '/app/main/app/assets' };
  const wired = wireApp({ agent, handlers, store, paths, gatewayLog: () => '/Users/ops/Library/Logs/openclaw/gateway.log' });
  const window = BrowserWindow.instances[0]!;
  window.webContents.emit('did-finish-load');
  return { agent, written, wired, window, tray: Tray.instances[0]! };
}

describe('app wiring (agent ↔ tray, popover, notifications, IPC, power)', () => {
  beforeEach(() => resetElectronMock());

  it('starts with the unknown template icon and follows the agent\'s state in the tray and the renderer', () => {
    const { agent, tray, window } = wire();
    assert.match(tray.image.path, /tray-unknownTemplate\.png$/);
    assert.equal(tray.image.template, true);
    agent.state = agentState('critical', { gateway: health('down', null) });
    agent.emit('state', agent.state);
    assert.match(tray.image.path, /tray-critical\.png$/);
    assert.equal(tray.image.template, false, 'a coloured image is not a template');
    assert.equal(tray.title, 'down');
    agent.state = agentState('ok', { gateway: health('ok', 1.7) });
    agent.emit('state', agent.state);
    assert.match(tray.image.path, /tray-okTemplate\.png$/);
    assert.equal(tray.title, '1.7 ms');
    assert.match(tray.tooltip, /^clawbar — all ok/);
    const states = window.webContents.sent.filter((m) => m.channel === 'state');
    assert.deepEqual(states.map((m) => (m.payload as AgentState).overall), ['unknown', 'critical', 'ok']);
  });

  it('opens the popover on click and the current menu on right- or control-click', () => {
    const { agent, tray, window } = wire();
    tray.emit('click', {});
    assert.equal(window.visible, true);
    agent.state = agentState('warn', { busy: ['probes'] });
    agent.emit('state', agent.state);
    tray.emit('right-click', {});
    tray.emit('click', { ctrlKey: true });
    assert.equal(tray.poppedUp.length, 2);
    const items = (tray.poppedUp[1] as { items: Array<{ id?: string; label?: string }> }).items;
    assert.equal(items.find((item) => item.id === 'run-probes')!.label, 'Running probes…', 'built from the latest state');
  });

  it('pauses the agent while the Mac sleeps and resumes it on wake', () => {
    const { agent } = wire();
    powerMonitor.emit('suspend');
    powerMonitor.emit('resume');
    assert.deepEqual(agent.log, ['pause', 'resume']);
  });

  it('turns a notice into one notification whose click shows its view in the popover', () => {
    const { agent, window } = wire();
    const notice = { id: 'listener.node|5000|*', title: 'New listener beyond loopback', body: 'node on *:5000', view: 'listeners' as const };
    agent.emit('notify', notice);
    agent.emit('notify', notice);
    assert.equal(calls.notifications.length, 1, 'debounced');
    calls.notifications[0]!.emit('click');
    assert.equal(window.visible, true);
    assert.deepEqual(window.webContents.sent.at(-1), { channel: 'view', payload: { view: 'listeners' } });
  });

  it('forwards progress events and applies launch at login from new settings, writing nothing back (a save wrote the file first; an editor\'s change came from it)', () => {
    app.isPackaged = true;
    const { agent, written, window } = wire();
    assert.deepEqual(calls.loginItems, [{ openAtLogin: false }]);
    agent.emit('progress', { kind: 'probe', world: 'daemon', target: 'https://api.example/', phase: 'tls', done: 1, total: 3 });
    assert.equal(window.webContents.sent.at(-1)!.channel, 'progress');
    const changed = Settings.parse({ launchAtLogin: true, healthIntervalSec: 30 });
    agent.emit('settings', changed);
    assert.deepEqual(written, []);
    assert.deepEqual(calls.loginItems.at(-1), { openAtLogin: true });
  });

  it('registers every IPC channel behind the sender check', async () => {
    const { window } = wire();
    assert.deepEqual([...ipcMain.handlers.keys()].sort(), Object.keys(INVOKE).sort());
    const trusted = { sender: window.webContents, senderFrame: window.webContents.mainFrame };
    const stranger = { sender: new (window.webContents.constructor as never as new () => object)(), senderFrame: window.webContents.mainFrame };
    await assert.rejects(ipcMain.invoke('report:copy', stranger, {}), /refused/);
    assert.deepEqual(await ipcMain.invoke('report:copy', trusted, {}), { copied: true, chars: 42 });
  });

  it('wires the menu actions: probes, log, settings, quit, and keeps running with no window', async () => {
    const { agent, wired, written } = wire();
    assert.deepEqual(calls.loginItems, [], 'a development run never registers itself as a login item');
    wired.actions.runProbes();
    assert.deepEqual(agent.log, ['probes']);
    wired.actions.openGatewayLog();
    wired.actions.openSettings();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(calls.opened, ['/Users/ops/Library/Logs/openclaw/gateway.log', '/tmp/config.json']);
    shell.openPathResult = 'Failed to open path';
    wired.actions.openGatewayLog();
    await new Promise((resolve) => setImmediate(resolve));
    assert.match(calls.errorBoxes[0]!.content, /gateway\.log: Failed to open path/);
    assert.deepEqual(written.map((w) => w.revision), ['rev-1'], 'the settings file is written out (over the revision just read) before it is opened');
    assert.equal(app.listenerCount('window-all-closed'), 1);
    app.emit('before-quit');
    assert.deepEqual(agent.log, ['probes', 'stop']);
    wired.actions.quit();
    assert.equal(calls.quit, 1);
  });
});
