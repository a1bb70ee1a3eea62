import type { Finding } from '../contract.ts';
import type { AgentState } from '../ipc-contract.ts';
import type { Settings } from '../settings-schema.ts';
import type { Observation } from './debounce.ts';

/** Findings that say a fix clawbar applied has been undone (by `openclaw gateway install --force`, doctor, an update). */
const REVERTED_FIX = /^fix\.(reverted|undone)/;
const GATEWAY_FIX = 'launchctl kickstart -k gui/$(id -u)/ai.openclaw.gateway; check the gateway log';

type Obs = Omit<Observation, 'at'>;

function gateway(state: AgentState): Obs[] {
  const g = state.gateway;
  if (!g || (g.state === 'unknown' && g.consecutiveFailures === 0)) return [];
  const failing = g.consecutiveFailures > 0;
  return [{
    key: 'gateway', failing, state: failing ? 'down' : g.state === 'degraded' ? 'degraded' : 'ok', severity: 'critical', traceId: null,
    detail: failing ? `${g.url} does not answer (${g.error ?? 'no answer'})` : `${g.url} answers${g.latencyMs !== null ? ` in ${g.latencyMs} ms` : ''}`,
    fix: state.findings.find((f) => f.id === 'gateway.down')?.fix ?? GATEWAY_FIX,
  }];
}

/**
 * The gateway reachable beyond this Mac: its port on a non-loopback listener
 * (what lsof sees), or `gateway.bind` off loopback in the config it will load
 * (what the next restart will do) — unless the operator documented the port
 * as an exception.
 */
function exposure(state: AgentState, settings: Settings): Obs[] {
  if (!state.listeners && !state.gatewayInfo) return [];
  const port = state.gatewayInfo?.port ?? null;
  const excepted = port !== null && settings.listenerExceptions.some((e) => e.port === port);
  const listeners = (state.listeners?.items ?? []).filter((l) => l.severity === 'critical');
  const bind = excepted ? undefined : state.findings.find((f) => f.id === 'bind.not-loopback');
  const failing = listeners.length > 0 || bind !== undefined;
  const detail = failing
    ? [...listeners.map((l) => `${l.process} (pid ${l.pid}) listens on ${l.address}:${l.port}${l.note ? `: ${l.note}` : ''}`), ...(bind ? [bind.title] : [])].join('; ')
    : `the gateway listens on loopback only${port !== null ? ` (port ${port})` : ''}`;
  const critical = listeners.length > 0 || bind?.severity === 'critical';
  return [{ key: 'exposure', failing, state: failing ? 'exposed' : 'loopback', severity: critical || !failing ? 'critical' : 'warning', detail, fix: 'clawbar fix bind', traceId: null }];
}

function clock(state: AgentState): Obs[] {
  const c = state.clock;
  if (!c || c.offsetMs === null) return [];
  const finding = c.findings.find((f) => f.severity !== 'ok');
  return [{
    key: 'clock', failing: c.state === 'critical', state: c.state, severity: 'critical', traceId: null,
    detail: finding?.title ?? `offset ${c.offsetMs} ms against ${c.server} (${c.method})`, fix: finding?.fix ?? null,
  }];
}

/** One track per failing layer, so a TLS-trust failure and a later DNS failure page separately; layers that healed look ok. */
function egress(state: AgentState, tracked: string[]): Obs[] {
  const probe = state.lastProbe;
  if (!probe) return [];
  const failing = new Map<string, typeof probe.results>();
  for (const r of probe.results) if (!r.ok && r.layer) failing.set(r.layer, [...(failing.get(r.layer) ?? []), r]);
  const out: Obs[] = [];
  for (const [layer, results] of failing) {
    const names = results.map((r) => r.name ?? r.target);
    const first = results[0]!;
    out.push({
      key: `egress/${layer}`, failing: true, state: layer, severity: 'critical', traceId: probe.traceId,
      detail: `${results.length} of ${probe.summary.total} targets fail in layer ${layer}: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}${first.explanation ? `. ${first.explanation}` : ''}`,
      fix: first.remedy?.command ?? first.fix,
    });
  }
  for (const key of tracked.filter((k) => k.startsWith('egress/') && !failing.has(k.slice(7)))) {
    out.push({ key, failing: false, state: 'ok', severity: 'critical', traceId: probe.traceId, detail: `${probe.summary.ok}/${probe.summary.total} targets ok`, fix: null });
  }
  return out;
}

function fixReverted(findings: Finding[], tracked: string[]): Obs[] {
  const reverted = findings.filter((f) => REVERTED_FIX.test(f.id) && f.severity !== 'ok');
  if (reverted.length === 0 && !tracked.includes('fixReverted')) return [];
  return [{
    key: 'fixReverted', failing: reverted.length > 0, state: reverted.length > 0 ? 'reverted' : 'in-force', severity: 'critical', traceId: null,
    detail: reverted.length > 0 ? reverted.map((f) => f.title).join('; ') : 'every fix clawbar applied is in force', fix: reverted[0]?.remedy?.command ?? reverted[0]?.fix ?? null,
  }];
}

/**
 * What one run of an agent check says about the paged checks, read from the
 * agent's (already redacted) state: pages are an exit, so they are built
 * from what may leave. `tracked` are the keys with a track, so a layer that
 * healed gets its good look. `fixFindings`: the recorded fixes checked
 * against the service (`fix.reverted`), which the agent's own checks do not hold.
 */
export function observe(ran: string, state: AgentState, settings: Settings, at: number, tracked: string[], fixFindings: Finding[] = []): Observation[] {
  const looks: Obs[] = [];
  if (ran === 'health') looks.push(...gateway(state));
  if (ran === 'listeners' || ran === 'service') looks.push(...exposure(state, settings));
  if (ran === 'service') looks.push(...fixReverted([...state.findings, ...fixFindings], tracked));
  if (ran === 'clock') looks.push(...clock(state));
  if (ran === 'probes') looks.push(...egress(state, tracked));
  return looks.map((look) => ({ ...look, at }));
}
