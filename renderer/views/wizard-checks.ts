import { offset } from '../format.ts';
import type { AgentState, Finding, LineState } from '../types.ts';
import { remedyAction, type RemedyAction } from './remedy.ts';

export interface Check {
  id: 'gateway' | 'exposure' | 'listeners' | 'clock' | 'egress';
  title: string;
  state: LineState;
  /** What was found, in words a non-specialist can act on. */
  said: string;
  /** The button: a finding's remedy where there is one, else a view to look at. */
  fix: RemedyAction | null;
}

/** The remedy of the first finding with one of these ids: the wizard offers what the diagnosis chose. */
function remedyOf(findings: Finding[], ...ids: string[]): RemedyAction | null {
  return remedyAction(findings.find((f) => ids.includes(f.id) && f.remedy)?.remedy);
}

/** The first-run checks, each explained in plain words, from the agent's state. */
export function wizardChecks(s: AgentState | null): Check[] {
  const findings = s?.findings ?? [];
  const info = s?.gatewayInfo ?? null;
  const g = s?.gateway ?? null;
  const gateway: Check = !s || !g ? { id: 'gateway', title: 'Find the gateway', state: 'unknown', said: 'Looking for the OpenClaw gateway service on this Mac…', fix: null }
    : !info?.found ? { id: 'gateway', title: 'Find the gateway', state: 'critical', said: 'No OpenClaw gateway service was found in the LaunchAgents folders. Install it with "openclaw gateway install", then come back.', fix: null }
    : g.state === 'ok' ? { id: 'gateway', title: 'Find the gateway', state: 'ok', said: `Found it: ${info.label} answers on port ${info.port}${info.version ? `, version ${info.version}` : ''}. It replied in ${Math.round(g.latencyMs ?? 0)} ms.`, fix: null }
    : { id: 'gateway', title: 'Find the gateway', state: s.lines.gateway.state, said: `The service ${info.label} is installed, but the gateway is not answering on port ${info.port} (${g.error ?? g.state}). It may still be starting, or it stopped.`, fix: { label: 'See what the service runs', view: 'environment' } };

  const exposedAuth = info && info.bind !== 'loopback';
  const exposure: Check = !info ? { id: 'exposure', title: 'Who can reach it', state: 'unknown', said: 'Waiting for the gateway settings…', fix: null }
    : exposedAuth ? { id: 'exposure', title: 'Who can reach it', state: info.auth === 'none' ? 'critical' : 'warn', said: `The gateway listens beyond this Mac (bind "${info.bind}")${info.auth === 'none' ? ' and asks for no password: anyone on the network can use it' : `, protected by ${info.auth} authentication`}. Binding it to loopback keeps it private; use an SSH tunnel to reach it.`, fix: remedyOf(findings, 'bind.not-loopback', 'listeners.gateway-exposed') }
    : { id: 'exposure', title: 'Who can reach it', state: 'ok', said: `Only this Mac can reach the gateway (bind "loopback")${info.auth === 'none' ? '; it has no password, which is fine while nothing else can reach it' : `, and it asks for ${info.auth} authentication`}.`, fix: null };

  const l = s?.listeners ?? null;
  const wide = l?.items.filter((i) => i.exposure !== 'loopback') ?? [];
  const listeners: Check = !l ? { id: 'listeners', title: 'Open ports', state: 'unknown', said: 'Listing the programs that accept network connections…', fix: null }
    : { id: 'listeners', title: 'Open ports', state: s!.lines.listeners.state === 'unknown' ? 'ok' : s!.lines.listeners.state,
      said: wide.length === 0 ? `${l.items.length} programs accept connections, all only from this Mac.` : `${wide.length} of ${l.items.length} listening programs accept connections from the network: ${wide.slice(0, 3).map((w) => `${w.process} on port ${w.port}`).join(', ')}. Each should be closed, bound to 127.0.0.1, or written down as expected.`,
      fix: wide.length ? { label: 'Review and save a baseline', view: 'listeners' } : null };

  const c = s?.clock ?? null;
  const clock: Check = !c ? { id: 'clock', title: 'Clock', state: 'unknown', said: 'Asking a time server how far off this Mac is…', fix: null }
    : c.offsetMs === null ? { id: 'clock', title: 'Clock', state: 'warn', said: 'No time server answered, so the clock cannot be checked, and the Mac cannot keep its own time either. Network time (UDP port 123) may be blocked.', fix: remedyOf(findings, 'clock.unknown') }
    : { id: 'clock', title: 'Clock', state: s!.lines.clock.state, said: c.state === 'ok' ? `The clock is right (off by ${offset(c.offsetMs)}).` : `The clock is off by ${offset(c.offsetMs)}. Sign-ins and certificates start failing when the clock is wrong.`, fix: c.state === 'ok' ? null : remedyOf(findings, 'clock.offset') };

  const p = s?.lastProbe ?? null;
  const failed = p?.results.filter((r) => !r.ok) ?? [];
  const egress: Check = !p ? { id: 'egress', title: 'Internet access', state: 'unknown', said: 'Not tested yet: the test runs with exactly the gateway\'s own settings, not yours.', fix: { label: 'Test now', view: 'probes' } }
    : failed.length === 0 ? { id: 'egress', title: 'Internet access', state: 'ok', said: `The gateway can reach all ${p.results.length} places it needs.`, fix: null }
    : { id: 'egress', title: 'Internet access', state: 'critical', said: `The gateway cannot reach ${failed.length} of ${p.results.length} places. ${failed.slice(0, 2).map((f) => `${f.name ?? f.target}: ${f.explanation ?? f.layer}`).join(' ')}`,
      fix: remedyAction(failed.find((f) => f.remedy?.fix)?.remedy) ?? { label: 'See details', view: 'probes' } };

  return [gateway, exposure, listeners, clock, egress];
}
