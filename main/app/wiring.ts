import { app, dialog, ipcMain, Notification, powerMonitor, shell } from 'electron';
import type { Agent, AgentEvents } from '../agent/agent.ts';
import type { Handlers } from '../agent/handlers.ts';
import { EVENTS, INVOKE, type AgentState, type Notice, type Progress, type ViewName } from '../ipc-contract.ts';
import type { Settings } from '../settings-schema.ts';
import type { appPaths } from './app-paths.ts';
import { createEventSender, publicMessage, registerIpc } from './ipc.ts';
import { menuTemplate, type MenuActions } from './menu-template.ts';
import { createNotifier } from './notify.ts';
import { createPopover } from './popover.ts';
import type { SettingsStore } from './settings-store.ts';
import { createTray } from './tray.ts';
import { trustedSender } from './window-security.ts';

/** The part of the Agent the app shell drives, with the Agent's own event types; the unit tests drive a stand-in of this shape. */
export type AgentLike = Pick<Agent, 'settings' | 'getState' | 'pause' | 'resume' | 'stop'> & {
  runProbes(): Promise<unknown>;
  on<K extends keyof AgentEvents>(event: K, listener: (...args: AgentEvents[K]) => void): unknown;
};

export interface WireOptions {
  agent: AgentLike;
  handlers: Handlers;
  store: SettingsStore;
  paths: ReturnType<typeof appPaths>;
  /** The gateway's log (the service's StandardOutPath, else OpenClaw's default). */
  gatewayLog: () => string;
}

const log = (message: string, error: unknown) => console.error(`clawbar: ${message}`, error);

/**
 * Connects the agent to the Mac: tray icon and menu, popover, notifications,
 * IPC, settings persistence, launch at login, and sleep/wake. Everything
 * decided here is a pure function elsewhere; this is only the wiring.
 */
export function wireApp({ agent, handlers, store, paths, gatewayLog }: WireOptions) {
  const send = createEventSender(EVENTS, log);
  const popover = createPopover({ preload: paths.preload, devTools: !app.isPackaged, send: (contents, view) => send(contents, 'view', { view }) });
  const tray = createTray(paths.trayAssets, () => popover.toggle(tray.bounds()));
  const open = (view: ViewName) => popover.showView(view, tray.bounds());
  registerIpc(ipcMain, INVOKE, handlers, trustedSender(popover.contents), log);

  // Only the installed app is a login item; `npm start` would register node_modules' Electron instead.
  const applyLoginItem = (settings: Settings) => { if (app.isPackaged) app.setLoginItemSettings({ openAtLogin: settings.launchAtLogin }); };
  applyLoginItem(agent.settings);
  // Settings come from the file (a save writes it before the agent takes them, an editor's change is read back): nothing to write here.
  agent.on('settings', applyLoginItem);

  const openFile = (path: string, what: string) => {
    void shell.openPath(path).then((error) => {
      if (error) dialog.showErrorBox(`Could not open ${what}`, `${path}: ${error}`);
    });
  };
  const actions: MenuActions = {
    openView: open,
    // The shared file (the one the CLI reads) in the default editor, for what the popover's form does not edit;
    // written out first so it exists; the agent reads an edit back within seconds. A file that no longer parses is opened as it is, to be fixed.
    openSettings: () => {
      void store.read().then((now) => store.write(now.settings, now.revision))
        .catch((error: unknown) => log('settings file not written out', error))
        .finally(() => openFile(store.path, 'the settings'));
    },
    runProbes: () => { agent.runProbes().catch((error: unknown) => log('probe run failed', error)); },
    copyReport: () => {
      handlers['report:copy']({}).then(
        ({ chars }) => new Notification({ title: 'Diagnostics report copied', body: `${chars} characters, secrets redacted.` }).show(),
        (error: unknown) => dialog.showErrorBox('Could not copy the report', publicMessage(error)),
      );
    },
    openGatewayLog: () => openFile(gatewayLog(), 'the gateway log'),
    quit: () => app.quit(),
  };
  const render = (state: AgentState) => {
    tray.update(state, menuTemplate(state, actions));
    send(popover.contents(), 'state', state);
  };
  agent.on('state', render);
  agent.on('progress', (progress) => send(popover.contents(), 'progress', progress));
  agent.on('notify', createNotifier({ settings: () => agent.settings, open }));
  render(agent.getState());

  // No checks while the Mac sleeps (they would all fail and notify on wake); a fresh look on wake.
  powerMonitor.on('suspend', () => { void agent.pause(); });
  powerMonitor.on('resume', () => { void agent.resume(); });
  app.on('second-instance', () => popover.show(tray.bounds()));
  // A menu-bar app lives on with no window open.
  app.on('window-all-closed', () => {});
  app.on('before-quit', () => {
    popover.release();
    void agent.stop();
  });
  return { popover, tray, actions };
}
