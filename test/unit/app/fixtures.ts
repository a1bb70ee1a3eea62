import type { AgentState, LineState } from '../../../main/ipc-contract.ts';

/** An AgentState with every line at `state` unless overridden; the shape the agent publishes. */
export function agentState(overall: LineState, overrides: Partial<AgentState> = {}): AgentState {
  const line = (text: string) => ({ state: overall, text });
  return {
    overall,
    updatedAt: '2026-01-01T00:00:00.000Z',
    gateway: null,
    gatewayInfo: null,
    listeners: null,
    clock: null,
    lastProbe: null,
    lastShellProbe: null,
    lines: { gateway: line('Gateway ok · 12 ms'), listeners: line('Listeners: 4 listening, 0 beyond loopback'), clock: line('Clock +0.2 s (sntp)'), egress: line('Egress: 5/5 ok') },
    latencyHistory: [],
    findings: [],
    firstRun: false,
    paused: false,
    busy: [],
    ...overrides,
  };
}

export function health(state: 'ok' | 'degraded' | 'down' | 'unknown', latencyMs: number | null): NonNullable<AgentState['gateway']> {
  return {
    state, url: 'http://127.0.0.1:18789', latencyMs, p95Ms: latencyMs, failing: [], status: state === 'down' ? null : 200,
    error: state === 'down' ? 'ECONNREFUSED' : null, version: '2026.9.6', uptimeMs: 1000, consecutiveFailures: state === 'down' ? 2 : 0,
  };
}
