import { sortBySeverity, viewRemedy, type ClockReport, type DownVerdict, type EdgesReport, type Finding, type ViewName, type HealthReport, type ListenersReport, type ProbeReport } from '../contract.ts';
import type { HealthSample } from '../glance/health.ts';
import { healthFindings } from '../glance/health-findings.ts';
import type { AgentState } from '../ipc-contract.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import type { Settings } from '../settings-schema.ts';
import { clockLine, egressLine, gatewayLine, gatewaySummary, listenersLine, overallOf } from './lines.ts';

const LATENCY_POINTS = 60;

/** Where a failed check's details are: the view that shows that check. */
const FAILED_CHECK_VIEW: Record<string, ViewName> = { service: 'environment', listeners: 'listeners', clock: 'overview', probes: 'probes', health: 'overview', metrics: 'overview', 'egress-sample': 'probes', upgrades: 'probes' };

export interface StateParts {
  settings: Settings;
  service: ServiceEnvironment | null;
  health: HealthReport | null;
  samples: readonly HealthSample[];
  listeners: ListenersReport | null;
  clock: ClockReport | null;
  lastProbe: ProbeReport | null;
  lastShellProbe: ProbeReport | null;
  failures: Map<string, string>;
  firstRun: boolean;
  paused: boolean;
  busy: AgentState['busy'];
  now: Date;
  /** The session's last look at the ways in and, while the gateway is down, why. */
  around?: { edges: EdgesReport | null; verdict: DownVerdict | null };
  /** Applied fixes no longer in force (`fix.reverted`), from the last fleet cycle. */
  fixes?: Finding[];
  /** The last automatic baseline comparison after a gateway or node upgrade, while it found regressions (or could not run). */
  upgrade?: Finding | null;
}

/** The agent's latest reports as one AgentState (raw: the agent redacts it once, on the whole, as it leaves). */
export function snapshot(p: StateParts): AgentState {
  const lines = { gateway: gatewayLine(p.health), listeners: listenersLine(p.listeners), clock: clockLine(p.clock), egress: egressLine(p.lastProbe) };
  const findings: Finding[] = [
    // The down finding says why when the verdict knows, as in clawbar status.
    ...(p.health ? healthFindings(p.health, p.settings) : []).map((f) => (f.id === 'gateway.down' && p.around?.verdict ? { ...f, title: p.around.verdict.line, detail: p.around.verdict.evidence.join('; '), fix: p.around.verdict.action, remedy: p.around.verdict.remedy } : f)),
    ...(p.around?.edges?.findings ?? []),
    ...(p.service?.facts.findings ?? []),
    ...(p.listeners?.findings ?? []),
    ...(p.clock?.findings ?? []),
    ...(p.lastProbe?.findings ?? []),
    ...(p.fixes ?? []),
    ...(p.upgrade ? [p.upgrade] : []),
    ...[...p.failures].map(([check, message]): Finding => ({ id: `agent.${check}-failed`, severity: 'warn', title: `The ${check} check failed: ${message}`, fix: null, remedy: viewRemedy(FAILED_CHECK_VIEW[check] ?? 'overview') })),
  ].filter((f) => f.severity !== 'ok');
  return {
    overall: overallOf(lines),
    updatedAt: p.now.toISOString(),
    gateway: p.health,
    gatewayInfo: p.service ? gatewaySummary(p.service.facts, p.health) : null,
    listeners: p.listeners,
    clock: p.clock,
    lastProbe: p.lastProbe,
    lastShellProbe: p.lastShellProbe,
    lines,
    latencyHistory: p.samples.filter((s) => s.ok && s.latencyMs !== null).map((s) => s.latencyMs!).slice(-LATENCY_POINTS),
    findings: sortBySeverity(findings),
    firstRun: p.firstRun,
    paused: p.paused,
    busy: p.busy,
    ...(p.around ? { edges: p.around.edges, verdict: p.around.verdict } : {}),
  };
}
