import type { ClockReport, EnvReport, HealthReport, ListenersReport, ProbeReport } from '../contract.ts';
import { formatOffset } from '../glance/clock.ts';
import type { GatewaySummary, LineState, StatusLine } from '../ipc-contract.ts';

/**
 * The four status lines the tray menu and the overview tiles show, and the
 * tray's overall colour. Pure functions of the latest reports, so the tray
 * and the renderer can never disagree about what "critical" means.
 */

const ms = (value: number) => (value < 10 ? value.toFixed(1) : String(Math.round(value)));

export function gatewayLine(health: HealthReport | null): StatusLine {
  if (!health || health.state === 'unknown') {
    return health?.error ? { state: 'unknown', text: `Gateway: no answer yet (${health.error})` } : { state: 'unknown', text: 'Gateway: checking…' };
  }
  if (health.state === 'down') return { state: 'critical', text: `Gateway down: ${health.error ?? 'no answer'}` };
  if (health.state === 'degraded') {
    return { state: 'warn', text: health.failing.length ? `Gateway not ready: ${health.failing.join(', ')}` : `Gateway slow: p95 ${ms(health.p95Ms ?? 0)} ms` };
  }
  const latency = health.latencyMs !== null ? ` · ${ms(health.latencyMs)} ms` : '';
  const version = health.version ? ` · v${health.version}` : '';
  // A single failed sample after good ones is not "down" yet: say so instead of hiding it.
  if (health.consecutiveFailures > 0) return { state: 'warn', text: `Gateway missed a check (${health.error ?? 'no answer'})` };
  return { state: 'ok', text: `Gateway ok${latency}${version}` };
}

export function listenersLine(report: ListenersReport | null): StatusLine {
  if (!report) return { state: 'unknown', text: 'Listeners: scanning…' };
  if (report.source === 'unavailable') return { state: 'warn', text: 'Listeners: scan unavailable' };
  const exposed = report.items.filter((l) => l.exposure !== 'loopback');
  const critical = report.items.find((l) => l.severity === 'critical');
  if (critical) return { state: 'critical', text: `Listeners: port ${critical.port} open on ${critical.address}` };
  const fresh = report.baseline.changes.filter((c) => c.change !== 'gone').length;
  const counts = `${report.items.length} listening, ${exposed.length} beyond loopback`;
  if (report.state !== 'ok') return { state: report.state, text: `Listeners: ${counts}${fresh ? `, ${fresh} new since baseline` : ''}` };
  return { state: 'ok', text: `Listeners: ${counts}` };
}

export function clockLine(report: ClockReport | null): StatusLine {
  if (!report) return { state: 'unknown', text: 'Clock: measuring…' };
  // An unmeasurable clock is itself a warning (UDP 123 blocked means the Mac cannot keep time either).
  if (report.offsetMs === null) return { state: 'warn', text: 'Clock: offset unknown (no NTP answer)' };
  const broken = report.breaks.filter((b) => b.broken).map((b) => b.what.split(' (')[0]);
  const tail = broken.length ? `, breaks ${broken[0]}` : '';
  const state: LineState = report.state === 'unknown' ? 'warn' : report.state;
  return { state, text: `Clock ${formatOffset(report.offsetMs)} (${report.method})${tail}` };
}

export function egressLine(report: ProbeReport | null): StatusLine {
  if (!report) return { state: 'unknown', text: 'Egress: not probed yet' };
  const { ok, total, byLayer } = report.summary;
  const layers = Object.keys(byLayer);
  if (report.summary.failed === 0) return { state: report.overall, text: `Egress: ${ok}/${total} ok` };
  return { state: 'critical', text: `Egress: ${ok}/${total} ok · ${layers.join(', ')}` };
}

const RANK: Record<LineState, number> = { ok: 0, unknown: 1, warn: 2, critical: 3 };

/**
 * Worst of the lines. Egress that has not been probed yet does not hold the
 * tray at "unknown" (probes run on a long interval); a gateway not yet
 * checked does, because "ok" would be a claim nobody has verified.
 */
export function overallOf(lines: { gateway: StatusLine; listeners: StatusLine; clock: StatusLine; egress: StatusLine }): LineState {
  const counted = [lines.gateway, lines.listeners, lines.clock, ...(lines.egress.state === 'unknown' ? [] : [lines.egress])];
  return counted.reduce<LineState>((worst, line) => (RANK[line.state] > RANK[worst] ? line.state : worst), 'ok');
}

/** Port, bind, auth and version in one place for the overview's gateway card. */
export function gatewaySummary(env: EnvReport, health: HealthReport | null): GatewaySummary {
  return {
    found: env.service !== null,
    plistPath: env.service?.plistPath ?? null,
    label: env.service?.label ?? null,
    port: env.gateway.port,
    bind: env.gateway.bind,
    auth: env.gateway.authMode,
    url: env.gateway.healthUrl.replace(/\/health$/, ''),
    version: health?.version ?? null,
    uptimeMs: health?.uptimeMs ?? null,
    proxyUrl: env.gateway.proxyUrl,
  };
}
