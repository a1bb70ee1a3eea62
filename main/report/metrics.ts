import { Layer, type GatewayLogErrors, type LastProbeRun, type ProbeResult, type StatusReport } from '../contract.ts';
import { edgeFamilies } from './metrics-edges.ts';
import { mergeFindings } from './report.ts';

/**
 * Prometheus text exposition of one status look and the last probe run. Every
 * metric is a gauge (a snapshot; a CLI run cannot keep counters honestly),
 * except the gateway log error counters, whose totals the store keeps across
 * runs. The text ends in `# EOF`. No sample carries a timestamp:
 * node_exporter's textfile collector refuses them.
 */

/** Past this many targets the rest are folded into target="other", so a huge allowlist cannot explode cardinality. */
export const MAX_TARGET_LABELS = 50;
const MAX_LABEL_LENGTH = 64;

interface Sample { labels?: Record<string, string>; value: number }
interface Family { name: string; help: string; samples: Sample[]; type?: 'gauge' | 'counter' }

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** Microsecond resolution is plenty for these gauges and keeps float noise (0.18080000000000002) out of the file. */
const formatValue = (value: number) => (Number.isFinite(value) ? String(Number(value.toFixed(6))) : '0');

function renderFamilies(families: Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type ?? 'gauge'}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {}).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
      lines.push(`${f.name}${labels ? `{${labels}}` : ''} ${formatValue(s.value)}`);
    }
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

const oneHot = (states: readonly string[], current: string, label = 'state'): Sample[] => states.map((s) => ({ labels: { [label]: s }, value: s === current ? 1 : 0 }));
const seconds = (ms: number) => Math.round(ms) / 1000;

function hostPort(target: string): string {
  try {
    const url = new URL(target);
    return `${url.hostname}:${url.port || (/^(https|wss):$/.test(url.protocol) ? 443 : 80)}`;
  } catch { return 'invalid'; }
}

/**
 * A short, unique label per target: its name, else host:port — never a URL,
 * a path or a query string (they may carry credentials and grow without bound).
 */
export function targetLabels(results: ProbeResult[]): string[] {
  const used = new Set<string>();
  return results.map((r) => {
    const clean = (r.name ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
    let label = (!clean || /:\/\/|[?#]/.test(clean) ? hostPort(r.target) : clean).slice(0, MAX_LABEL_LENGTH);
    if (used.has(label)) label = `${label} (${hostPort(r.target)})`.slice(0, MAX_LABEL_LENGTH + 24);
    for (let n = 2; used.has(label); n++) label = `${label.replace(/ #\d+$/, '')} #${n}`;
    used.add(label);
    return label;
  });
}

function probeFamilies(run: LastProbeRun): Family[] {
  const results = run.report.results;
  const labels = targetLabels(results);
  const shown = results.slice(0, MAX_TARGET_LABELS);
  const folded = results.slice(MAX_TARGET_LABELS);
  const success: Sample[] = shown.map((r, i) => ({ labels: { target: labels[i]!, kind: r.kind, layer: r.layer ?? 'none' }, value: r.ok ? 1 : 0 }));
  if (folded.length) {
    const layers = [...new Set(folded.filter((r) => !r.ok).map((r) => r.layer ?? 'unknown'))];
    success.push({ labels: { target: 'other', kind: 'other', layer: layers.length === 0 ? 'none' : layers.length === 1 ? layers[0]! : 'mixed' }, value: layers.length ? 0 : 1 });
  }
  const phases: Sample[] = [];
  const expiry: Sample[] = [];
  shown.forEach((r, i) => {
    const p = r.phases;
    for (const [phase, value] of [['dns', p.dnsMs], ['connect', p.connectMs], ['proxy_connect', p.proxyConnectMs], ['tls', p.tlsMs], ['ttfb', p.ttfbMs], ['total', p.totalMs]] as const) {
      if (value !== null) phases.push({ labels: { target: labels[i]!, phase }, value: seconds(value) });
    }
    const validTo = r.tls?.validTo ? Date.parse(r.tls.validTo) : Number.NaN;
    if (Number.isFinite(validTo)) expiry.push({ labels: { target: labels[i]! }, value: Math.round(validTo / 1000) });
  });
  return [
    { name: 'clawbar_probe_success', help: 'Whether the last probe of a target passed (1) or failed (0), with the layer it failed in (none when it passed).', samples: success },
    { name: 'clawbar_probe_phase_seconds', help: 'Duration of each phase of the last probe of a target (like curl -w timings).', samples: phases },
    { name: 'clawbar_probe_tls_cert_expiry_timestamp_seconds', help: 'When the certificate a target presented expires.', samples: expiry },
    { name: 'clawbar_probe_failed_targets', help: 'Targets of the last probe run that failed, by layer.', samples: Layer.options.map((layer) => ({ labels: { layer }, value: results.filter((r) => r.layer === layer).length })) },
    { name: 'clawbar_probe_targets', help: 'Targets of the last probe run by result.', samples: [{ labels: { result: 'ok' }, value: run.report.summary.ok }, { labels: { result: 'failed' }, value: run.report.summary.failed }] },
    { name: 'clawbar_probe_duration_seconds', help: 'Wall time of the last probe run.', samples: [{ value: seconds(run.report.summary.durationMs) }] },
  ];
}

/**
 * The gateway's own log errors: a counter per layer (every layer, so the
 * label set is fixed and small; hosts stay out of labels), counted since
 * clawbar first read the logs and kept in its store, so `rate()` works
 * across runs; and whether the logs could be read at all.
 */
function gatewayLogFamilies(log: GatewayLogErrors): Family[] {
  return [
    { name: 'clawbar_gateway_log_errors_total', type: 'counter', help: "Errors in the gateway's own logs by probe layer, since clawbar began reading them.", samples: Layer.options.map((layer) => ({ labels: { layer }, value: log.totals[layer] ?? 0 })) },
    { name: 'clawbar_gateway_log_error_rate_jump', help: "Whether a layer's errors in the last hour jumped against its usual hourly rate.", samples: Layer.options.map((layer) => ({ labels: { layer }, value: log.jumps.some((j) => j.layer === layer) ? 1 : 0 })) },
  ];
}

export interface MetricsInput {
  status: StatusReport;
  lastProbe: LastProbeRun | null;
  gatewayLog?: GatewayLogErrors | null;
  version: string;
  now?: Date;
}

/** The exposition text for one node: gateway, listeners, clock, findings, probes and when each last ran. */
export function renderMetrics(input: MetricsInput): string {
  const { status, lastProbe } = input;
  const g = status.gateway;
  const gatewayPort = Number(new URL(g.url).port) || null;
  const findings = mergeFindings(status.findings, lastProbe?.report.findings ?? []);
  const lastRun: Sample[] = [{ labels: { check: 'status' }, value: Math.round((input.now ?? new Date()).getTime() / 1000) }];
  if (lastProbe) lastRun.push({ labels: { check: 'probe' }, value: Math.round(Date.parse(lastProbe.report.startedAt) / 1000) });
  return renderFamilies([
    { name: 'clawbar_build_info', help: 'clawbar version that wrote these metrics.', samples: [{ labels: { version: input.version }, value: 1 }] },
    { name: 'clawbar_gateway_up', help: 'Whether the OpenClaw gateway answers its health endpoint (ok or degraded).', samples: [{ value: g.state === 'ok' || g.state === 'degraded' ? 1 : 0 }] },
    { name: 'clawbar_gateway_health_state', help: 'Gateway health state, one-hot: ok, degraded, down or unknown.', samples: oneHot(['ok', 'degraded', 'down', 'unknown'], g.state) },
    { name: 'clawbar_gateway_latency_seconds', help: 'Latency of the last gateway health probe.', samples: g.latencyMs === null ? [] : [{ value: seconds(g.latencyMs) }] },
    { name: 'clawbar_gateway_latency_p95_seconds', help: '95th percentile of recent gateway health probe latencies.', samples: g.p95Ms === null ? [] : [{ value: seconds(g.p95Ms) }] },
    { name: 'clawbar_gateway_exposed', help: "Whether the gateway's port listens beyond loopback.", samples: [{ value: status.listeners.items.some((l) => l.port === gatewayPort && l.exposure !== 'loopback') ? 1 : 0 }] },
    { name: 'clawbar_listeners', help: 'TCP listeners on this node by exposure.', samples: (['loopback', 'specific', 'wildcard'] as const).map((e) => ({ labels: { exposure: e }, value: status.listeners.items.filter((l) => l.exposure === e).length })) },
    { name: 'clawbar_listener_changes', help: 'Listener changes since the saved baseline.', samples: (['new', 'gone', 'rebound'] as const).map((c) => ({ labels: { change: c }, value: status.listeners.baseline.changes.filter((x) => x.change === c).length })) },
    { name: 'clawbar_clock_offset_seconds', help: 'Clock offset against the time server (positive: the server is ahead).', samples: status.clock.offsetMs === null ? [] : [{ value: status.clock.offsetMs / 1000 }] },
    { name: 'clawbar_clock_state', help: 'Clock state, one-hot: ok, warn, critical or unknown (not measurable).', samples: oneHot(['ok', 'warn', 'critical', 'unknown'], status.clock.state) },
    { name: 'clawbar_findings', help: 'Current findings by severity (status and last probe run).', samples: (['warn', 'critical'] as const).map((s) => ({ labels: { severity: s }, value: findings.filter((f) => f.severity === s).length })) },
    ...edgeFamilies(status),
    ...(lastProbe ? probeFamilies(lastProbe) : []),
    ...(input.gatewayLog ? gatewayLogFamilies(input.gatewayLog) : []),
    { name: 'clawbar_last_run_timestamp_seconds', help: 'When each check last ran.', samples: lastRun },
  ]);
}
