import { join } from 'node:path';
import { app, clipboard, dialog, Menu, session } from 'electron';
import { Agent } from '../agent/agent.ts';
import { createHandlers } from '../agent/handlers.ts';
import { appPaths } from './app-paths.ts';
import { publicMessage } from './ipc.ts';
import { appMenuTemplate } from './menu-template.ts';
import { registerAppScheme, serveRenderer } from './protocol.ts';
import { openSettingsStore } from './settings-store.ts';
import { hardenContents, lockDownSession } from './window-security.ts';
import { wireApp } from './wiring.ts';
import { worldFiles } from '../world.ts';

/**
 * The menu-bar app's lifecycle: one instance, no Dock icon, the app://
 * scheme and the session locked down before any page exists, then the agent
 * (the engine's schedulers and state) wired to the tray, popover and IPC.
 */

// Both must happen before 'ready': privileged schemes are fixed at start-up, and every web contents gets the hardening.
registerAppScheme();
app.on('web-contents-created', (_event, contents) => hardenContents(contents));

async function start(): Promise<void> {
  app.dock?.hide();
  // No visible menu bar (LSUIElement), but the Edit menu's roles are what make copy and paste work in text fields.
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate()));
  lockDownSession(session.defaultSession);
  const paths = appPaths(app.getAppPath(), app.isPackaged, process.resourcesPath);
  serveRenderer(paths.renderer);

  // The settings file is read before the agent exists: the same name the agent's world gives it.
  const store = openSettingsStore(worldFiles(process.env, app.getPath('home'), process.platform).settings);
  const agent = new Agent({ settings: (await store.read()).settings });
  const handlers = createHandlers(agent, { copyText: (text) => clipboard.writeText(text), settings: store });
  const gatewayLog = () => agent.service?.facts.service?.stdoutPath ?? join(agent.home, 'Library', 'Logs', 'openclaw', 'gateway.log');
  wireApp({ agent, handlers, store, paths, gatewayLog });
  await agent.start();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.whenReady().then(start).catch((error: unknown) => {
    // A broken settings file lands here too: say which file and why, and change nothing (the CLI exits 65 on it).
    dialog.showErrorBox('clawbar could not start', publicMessage(error));
    app.quit();
  });
}
