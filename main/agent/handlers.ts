import { isDeepStrictEqual } from 'node:util';
import { STALE_SETTINGS } from '../contract/settings.ts';
import { History, type InvokeChannel, type InvokeRequest, type InvokeResponse } from '../ipc-contract.ts';
import { applySettingsEdit, settingsView } from '../settings-edit.ts';
import { openSettingsFile, type SettingsFile } from '../store/settings-file.ts';
import type { Agent } from './agent.ts';

export type Handlers = { [C in InvokeChannel]: (request: InvokeRequest<C>) => Promise<InvokeResponse<C>> };

export interface HandlerHooks {
  /** Puts text on the clipboard (Electron's clipboard in the app; a recorder in tests). */
  copyText?: (text: string) => void;
  /** The settings file (the app's electron-store); by default the agent's world's, written atomically. */
  settings?: SettingsFile;
}

/**
 * One function per IPC channel, each a thin call into the agent. main/app
 * registers exactly these with ipcMain (after checking the sender and
 * parsing the request with the contract), and the E2E bridge calls the same
 * ones, so the tests exercise what the app runs. A response is an exit: what
 * the agent returns raw passes the world's redactor here, once (the state is
 * redacted by the agent itself, since it also leaves as an event).
 */
export function createHandlers(agent: Agent, hooks: HandlerHooks = {}): Handlers {
  const redactor = agent.session.world.redactor;
  const out = <T>(value: T): T => redactor.deep(value);
  const file = hooks.settings ?? openSettingsFile(agent.session.world.files.settings);
  /** The settings file as it is now, put in force in the agent when an editor changed it since the agent last read it. */
  const current = async () => {
    const now = await file.read();
    if (!isDeepStrictEqual(now.settings, agent.settings)) await agent.updateSettings(now.settings);
    return now;
  };
  const handlers: Handlers = {
    'state:get': async () => agent.getState(),
    'state:refresh': async ({ check }) => agent.refresh(check ?? 'all'),
    'probes:run': async ({ world }) => out(await agent.runProbes({ shellEnv: world === 'shell' })),
    'listeners:save-baseline': async () => out(await agent.saveBaseline()),
    'env:get': async () => out(await agent.environment()),
    'fix:plan': async (request) => out(await agent.planFix(request)),
    'fix:apply': async ({ fix, planId }) => out(await agent.applyFix(fix, planId)),
    'fix:rollback': async ({ id }) => out(await agent.rollbackFix(id)),
    'fix:history': async () => out(await agent.fixHistory()),
    'fix:reapply': async ({ id, apply, planId }) => out(await agent.reapplyFix(id, apply === true, planId)),
    'history:get': async () => out(History.parse(await agent.history())),
    'report:copy': async () => {
      const text = redactor.text(await agent.diagnosticsReport());
      hooks.copyText?.(text);
      return { copied: hooks.copyText !== undefined, chars: text.length };
    },
    // Paging URLs and credentials never leave: the view shows where each notifier goes, an edit keeps what it leaves out.
    'settings:get': async () => out(settingsView(await current())),
    // The edit applies to the file as it is now, and only to the revision it was made from; validated whole, written, and only then in force.
    'settings:set': async (edit) => {
      const written = await file.write(applySettingsEdit(await current(), edit), edit.revision);
      await agent.updateSettings(written.settings);
      return out(settingsView(written));
    },
    // To the notifier the form shows, as the file holds it now.
    'paging:test': async ({ index, revision }) => {
      if (revision !== (await current()).revision) throw new Error(`${STALE_SETTINGS}; reload it first`);
      return out(await agent.testPage(index));
    },
    'wizard:complete': async () => agent.completeFirstRun(),
  };
  // A failure's message leaves too (the renderer shows it): it is redacted like any response.
  const guarded = Object.entries(handlers).map(([channel, handler]) => [channel, async (request: never) => {
    try {
      return await (handler as (request: never) => Promise<unknown>)(request);
    } catch (error) {
      throw new Error(redactor.text(error instanceof Error ? error.message : String(error)));
    }
  }]);
  return Object.fromEntries(guarded) as Handlers;
}
