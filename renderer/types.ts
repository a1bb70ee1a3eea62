/**
 * The contract's types as the popover sees them. Kept apart from api.ts
 * (which reaches for `window`) so the view logic that only needs types can
 * also run under plain Node in the unit tests.
 */
export type { AgentState, FixRequest, History, LineState, ProbeRun, Progress, StatusLine, TestPageResult, ViewName } from '../main/ipc-contract.ts';
export type { NotifierEdit, NotifierView, RuleView, SettingsEditShape as SettingsEdit, SettingsView } from '../main/contract/settings.ts';
export type { GatewayLogHistory } from '../main/contract/gateway-log-history.ts';
export type { ClockReport, EnvReport, Finding, FixBundleSummary, FixKind, FixOutcome, FixStep, HealthReport, Listener, ListenersReport, ProbeReport, ProbeResult, Remedy, RemedyFix } from '../main/contract.ts';
