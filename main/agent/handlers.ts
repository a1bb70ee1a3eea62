import { History, type InvokeChannel, type InvokeRequest, type InvokeResponse } from '../ipc-contract.ts';
import type { Agent } from './agent.ts';
import { readProbeRuns } from './history.ts';

export type Handlers = { [C in InvokeChannel]: (request: InvokeRequest<C>) => Promise<InvokeResponse<C>> };

export interface HandlerHooks {
  /** Puts text on the clipboard (Electron's clipboard in the app; a recorder in tests). */
  copyText?: (text: string) => void;
}

/**
 * One function per IPC channel, each a thin call into the agent. main/app
 * registers exactly these with ipcMain (after checking the sender and
 * parsing the request with the contract), and the E2E bridge calls the same
 * ones, so the tests exercise what the app runs. Every response passes the
 * agent's redactor once more: the last gate before anything leaves main.
 */
export function createHandlers(agent: Agent, hooks: HandlerHooks = {}): Handlers {
  const out = <T>(value: T): T => agent.redactor.deep(value);
  return {
    'state:get': async () => agent.getState(),
    'state:refresh': async ({ check }) => out(await agent.refresh(check ?? 'all')),
    'probes:run': async ({ world }) => out(await agent.runProbes({ shellEnv: world === 'shell' })),
    'listeners:save-baseline': async () => out(await agent.saveBaseline()),
    'env:get': async () => out(await agent.environment()),
    'fix:plan': async (request) => out(await agent.planFix(request)),
    'fix:apply': async ({ fix, planId }) => out(await agent.applyFix(fix, planId)),
    'fix:rollback': async ({ id }) => out(await agent.rollbackFix(id)),
    'fix:history': async () => out(await agent.fixHistory()),
    'history:get': async () => out(History.parse({ health: agent.healthHistory(), probes: await readProbeRuns(agent.probeLogPath) })),
    'report:copy': async () => {
      const text = agent.redactor.text(await agent.diagnosticsReport());
      hooks.copyText?.(text);
      return { copied: hooks.copyText !== undefined, chars: text.length };
    },
    'settings:get': async () => agent.settings,
    'settings:set': async (patch) => agent.updateSettings(patch),
    'wizard:complete': async () => agent.completeFirstRun(),
  };
}
