import { viewRemedy, type Finding, type HealthReport } from '../contract.ts';
import type { Settings } from '../settings.ts';

const KICKSTART = 'launchctl kickstart -k gui/$(id -u)/ai.openclaw.gateway';

/** What a health state means as findings; the one-shot status and the app's agent share it. */
export function healthFindings(health: HealthReport, settings: Settings): Finding[] {
  if (health.state === 'down') return [{ id: 'gateway.down', severity: 'critical', title: `The gateway does not answer at ${health.url} (${health.error})`, detail: 'Two consecutive probes failed.', fix: `${KICKSTART}; check the gateway log`, remedy: viewRemedy('environment', KICKSTART) }];
  if (health.state === 'degraded') {
    return [{ id: 'gateway.degraded', severity: 'warn', title: health.failing.length ? `The gateway is not ready: ${health.failing.join(', ')}` : `Gateway p95 latency ${health.p95Ms} ms is over ${settings.healthDegradedP95Ms} ms`, fix: 'openclaw health --json; openclaw doctor', remedy: viewRemedy('history', 'openclaw health --json') }];
  }
  if (health.state === 'ok' && health.p95Ms !== null && health.p95Ms >= settings.healthOkP95Ms) {
    // The latency history is where a slow gateway shows its trend.
    return [{ id: 'gateway.slow', severity: 'warn', title: `Gateway latency ${health.p95Ms} ms is over the ${settings.healthOkP95Ms} ms objective`, fix: null, remedy: viewRemedy('history') }];
  }
  return [];
}
