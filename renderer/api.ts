import type { ClawbarApi } from '../preload/api.ts';

declare global {
  interface Window { clawbar: ClawbarApi }
}

/** The preload's bridge: the only way this page reaches main. */
export const api: ClawbarApi = window.clawbar;

export type { ClawbarApi };
export type { AgentState, FixRequest, History, LineState, ProbeRun, Progress, StatusLine, ViewName } from '../main/ipc-contract.ts';
export type { ClockReport, EnvReport, Finding, FixBundleSummary, FixOutcome, FixStep, HealthReport, Listener, ListenersReport, ProbeReport, ProbeResult } from '../main/contract.ts';
