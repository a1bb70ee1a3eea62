import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import { appMenuTemplate, menuTemplate, STATE_MARKS, type MenuActions } from '../../../main/app/menu-template.ts';
import { agentState } from './fixtures.ts';

function recorder(): { actions: MenuActions; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    actions: {
      openView: (view) => calls.push(`view:${view}`),
      runProbes: () => calls.push('probes'),
      copyReport: () => calls.push('copy'),
      openGatewayLog: () => calls.push('log'),
      openSettings: () => calls.push('settings'),
      quit: () => calls.push('quit'),
    },
  };
}

const click = (item: MenuItemConstructorOptions | undefined) => (item?.click as (() => void) | undefined)?.();
const byId = (items: MenuItemConstructorOptions[], id: string) => items.find((item) => item.id === id);

describe('tray context menu', () => {
  it('has one status line each for gateway, listeners, clock and egress, then the actions in order', () => {
    const items = menuTemplate(agentState('ok'), recorder().actions);
    assert.deepEqual(items.map((item) => item.id ?? item.type), [
      'status.gateway', 'status.listeners', 'status.clock', 'status.egress', 'separator',
      'run-probes', 'dashboard', 'copy-report', 'fixes', 'gateway-log', 'separator', 'settings', 'settings-file', 'quit',
    ]);
    assert.equal(byId(items, 'status.egress')!.label, `${STATE_MARKS.ok}  Egress: 5/5 ok`);
  });

  it('marks each status line by shape, not colour alone', () => {
    const state = agentState('ok');
    state.lines.clock = { state: 'critical', text: 'Clock +75 s (sntp), breaks JWT validation' };
    state.lines.listeners = { state: 'warn', text: 'Listeners: 9 listening, 2 beyond loopback' };
    const items = menuTemplate(state, recorder().actions);
    assert.ok(String(byId(items, 'status.clock')!.label).startsWith(STATE_MARKS.critical));
    assert.ok(String(byId(items, 'status.listeners')!.label).startsWith(STATE_MARKS.warn));
    assert.equal(new Set(Object.values(STATE_MARKS)).size, 4);
  });

  it('wires every item to its action and view', () => {
    const { actions, calls } = recorder();
    const items = menuTemplate(agentState('ok'), actions);
    for (const id of ['status.gateway', 'status.listeners', 'status.clock', 'status.egress', 'run-probes', 'dashboard', 'copy-report', 'fixes', 'gateway-log', 'settings', 'settings-file', 'quit']) click(byId(items, id));
    assert.deepEqual(calls, ['view:overview', 'view:listeners', 'view:overview', 'view:probes', 'probes', 'view:overview', 'copy', 'view:fixes', 'log', 'view:settings', 'settings', 'quit']);
  });

  it('disables "Run probes now" while probes run and shows a paused line while the Mac sleeps', () => {
    const items = menuTemplate(agentState('ok', { busy: ['probes'], paused: true }), recorder().actions);
    const run = byId(items, 'run-probes')!;
    assert.equal(run.enabled, false);
    assert.equal(run.label, 'Running probes…');
    assert.equal(byId(items, 'paused')!.enabled, false);
  });

  it('keeps an Edit menu so copy and paste work in text fields', () => {
    assert.ok(appMenuTemplate().some((item) => item.role === 'editMenu'));
  });
});
