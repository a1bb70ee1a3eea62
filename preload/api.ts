import type { EventChannel, EventPayload, InvokeChannel, InvokeRequest, InvokeResponse } from '../main/ipc-contract.ts';

/**
 * The renderer's whole view of main: one named function per IPC channel and
 * one subscription per event channel. Shared by the preload (which binds it
 * to ipcRenderer), the renderer (which calls `window.clawbar`) and the E2E
 * bridge (which binds it to the agent's handlers in the test process).
 * Type imports only, so the sandboxed preload bundles nothing else.
 */
export const API_CHANNELS = {
  getState: 'state:get',
  refresh: 'state:refresh',
  runProbes: 'probes:run',
  saveBaseline: 'listeners:save-baseline',
  getEnvironment: 'env:get',
  planFix: 'fix:plan',
  applyFix: 'fix:apply',
  rollbackFix: 'fix:rollback',
  fixHistory: 'fix:history',
  reapplyFix: 'fix:reapply',
  getHistory: 'history:get',
  copyReport: 'report:copy',
  getSettings: 'settings:get',
  setSettings: 'settings:set',
  testPage: 'paging:test',
  completeWizard: 'wizard:complete',
} as const satisfies Record<string, InvokeChannel>;

export const EVENT_SUBSCRIPTIONS = {
  onState: 'state',
  onProgress: 'progress',
  onView: 'view',
} as const satisfies Record<string, EventChannel>;

type Invoke<C extends InvokeChannel> = {} extends InvokeRequest<C>
  ? (request?: InvokeRequest<C>) => Promise<InvokeResponse<C>>
  : (request: InvokeRequest<C>) => Promise<InvokeResponse<C>>;

/** Subscribes to an event; the returned function unsubscribes. The payload is data only, never the IPC event. */
type Subscribe<C extends EventChannel> = (listener: (payload: EventPayload<C>) => void) => () => void;

export type ClawbarApi =
  & { [M in keyof typeof API_CHANNELS]: Invoke<(typeof API_CHANNELS)[M]> }
  & { [M in keyof typeof EVENT_SUBSCRIPTIONS]: Subscribe<(typeof EVENT_SUBSCRIPTIONS)[M]> };
