import type { MenuItemConstructorOptions } from 'electron';
import type { AgentState, LineState, StatusLine, ViewName } from '../ipc-contract.ts';

/**
 * The tray's context menu as a plain template, built by a pure function so
 * its items and their wiring are tested without Electron (the type import
 * is erased). Status lines carry a shape as well as words, so the state does
 * not depend on reading colour.
 */

export interface MenuActions {
  openView: (view: ViewName) => void;
  runProbes: () => void;
  copyReport: () => void;
  openGatewayLog: () => void;
  openSettings: () => void;
  quit: () => void;
}

/** One shape per state, so the menu reads without colour. */
export const STATE_MARKS: Record<LineState, string> = { ok: '✓', warn: '⚠︎', critical: '✕', unknown: '…' };

const statusItem = (id: string, line: StatusLine, view: ViewName, actions: MenuActions): MenuItemConstructorOptions => ({
  id: `status.${id}`,
  label: `${STATE_MARKS[line.state]}  ${line.text}`,
  click: () => actions.openView(view),
});

/** Status lines first (each opens its view), then the actions; "Run probes now" is disabled while a run is under way. */
export function menuTemplate(state: AgentState, actions: MenuActions): MenuItemConstructorOptions[] {
  const probing = state.busy.includes('probes');
  return [
    statusItem('gateway', state.lines.gateway, 'overview', actions),
    statusItem('listeners', state.lines.listeners, 'listeners', actions),
    statusItem('clock', state.lines.clock, 'overview', actions),
    statusItem('egress', state.lines.egress, 'probes', actions),
    ...(state.paused ? [{ id: 'paused', label: 'Checks paused while the Mac sleeps', enabled: false }] : []),
    { type: 'separator' },
    { id: 'run-probes', label: probing ? 'Running probes…' : 'Run probes now', enabled: !probing, click: () => actions.runProbes() },
    { id: 'dashboard', label: 'Open dashboard', click: () => actions.openView('overview') },
    { id: 'copy-report', label: 'Copy diagnostics report', click: () => actions.copyReport() },
    { id: 'fixes', label: 'Fixes…', click: () => actions.openView('fixes') },
    { id: 'gateway-log', label: 'Open gateway log', click: () => actions.openGatewayLog() },
    { type: 'separator' },
    { id: 'settings', label: 'Settings…', click: () => actions.openView('settings') },
    // What the popover's form does not edit (header values, labels, listener exceptions) is edited in the file itself.
    { id: 'settings-file', label: 'Open Settings File', click: () => actions.openSettings() },
    { id: 'quit', label: 'Quit clawbar', accelerator: 'Command+Q', click: () => actions.quit() },
  ];
}

/**
 * The application menu. It is never visible (LSUIElement), but macOS routes
 * ⌘C/⌘V/⌘A to text fields only through an Edit menu with these roles.
 */
export function appMenuTemplate(): MenuItemConstructorOptions[] {
  return [{ role: 'appMenu' }, { role: 'editMenu' }];
}
