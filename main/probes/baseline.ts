import type { BaselineComparison, BaselineDelta, BaselineTarget, PhaseName, Phases, ProbeBaseline, ProbeReport, ProbeTarget } from '../contract.ts';

/**
 * Probe baselines: what a run keeps of each target (phases, TLS protocol,
 * cipher and issuer, route) and how a later run is compared with it, so an
 * upgrade's regression (Node's OpenSSL bindings, a re-certified edge, a new
 * route) shows in numbers. Pure: the store keeps baselines, the probe log
 * gives the recent runs.
 */

/**
 * A phase is slower when the median of the runs since the baseline (the last
 * `runs` of them) exceeds the baseline by `ratio` and by at least
 * `minDeltaMs`: one slow run is noise, and a few ms on loopback or across a
 * continent are jitter, not a regression.
 */
export const BASELINE_RULE = { runs: 3, ratio: 1.5, minDeltaMs: 50 } as const;

export const PHASE_NAMES: PhaseName[] = ['dnsMs', 'connectMs', 'proxyConnectMs', 'tlsMs', 'ttfbMs', 'totalMs'];

/** Names are file names in the store: letters, digits, dot, dash, underscore; no separators, no leading dot. */
export const BASELINE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A proxy as host:port: credentials never belong in a baseline, and a password change is not a route change. */
function proxyHost(url: string | null): string | null {
  if (!url) return null;
  try { const u = new URL(url); return u.host; } catch { return 'unparsable'; }
}

export function baselineTargets(report: ProbeReport): BaselineTarget[] {
  return report.results.map((r) => ({
    target: r.target, ok: r.ok, layer: r.layer, phases: r.phases,
    tls: r.tls ? { protocol: r.tls.protocol, cipher: r.tls.cipher, issuer: r.tls.issuer } : null,
    route: { via: r.via, proxy: proxyHost(r.route.proxy), family: r.family, address: r.address },
  }));
}

export function toBaseline(name: string, report: ProbeReport, asked: ProbeTarget[], now: Date): ProbeBaseline {
  return {
    schema: 'clawbar.probe-baseline/1', name, savedAt: now.toISOString(), traceId: report.traceId,
    runtime: { execPath: report.runtime.execPath, nodeVersion: report.runtime.nodeVersion, openssl: report.runtime.openssl },
    asked: asked.map((t) => ({ url: t.url, kind: t.kind, name: t.name, sni: t.sni, pin: t.pin })),
    targets: baselineTargets(report),
  };
}

/** The targets a baseline probed, as asked (pins, expected SNI): what a comparison probes again, like for like. */
export function askedTargets(baseline: ProbeBaseline): ProbeTarget[] {
  return baseline.asked.map((t) => ({ ...t, kind: t.kind as ProbeTarget['kind'] }));
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs since the baseline, newest first: per target URL, the phases of each run that passed. */
export type RecentRuns = Array<{ at: string; phases: Map<string, Phases> }>;

function phaseRows(base: BaselineTarget, recent: Phases[], rule: typeof BASELINE_RULE): BaselineDelta['phases'] {
  return PHASE_NAMES.map((phase) => {
    const values = recent.map((p) => p[phase]).filter((v): v is number => v !== null);
    const recentMs = median(values);
    const baselineMs = base.phases[phase];
    const slower = base.ok && baselineMs !== null && recentMs !== null && recentMs - baselineMs > Math.max(rule.minDeltaMs, baselineMs * (rule.ratio - 1));
    return { phase, baselineMs, recentMs: recentMs === null ? null : Math.round(recentMs * 10) / 10, runs: values.length, slower };
  }).filter((p) => p.baselineMs !== null || p.recentMs !== null);
}

function changesOf(base: BaselineTarget, now: BaselineTarget): BaselineDelta['changes'] {
  const out: BaselineDelta['changes'] = [];
  const note = (what: BaselineDelta['changes'][number]['what'], before: string | null, after: string | null) => { if (before !== after) out.push({ what, before, after }); };
  note('result', base.ok ? 'ok' : `failed (${base.layer})`, now.ok ? 'ok' : `failed (${now.layer})`);
  // TLS facts compare only when both runs reached TLS: a failed connect is a result change, not a new cipher.
  if (base.tls && now.tls) {
    note('tls-protocol', base.tls.protocol, now.tls.protocol);
    note('tls-cipher', base.tls.cipher, now.tls.cipher);
    note('tls-issuer', base.tls.issuer, now.tls.issuer);
  }
  note('route', base.route.via === 'proxy' ? `proxy ${base.route.proxy}` : 'direct', now.route.via === 'proxy' ? `proxy ${now.route.proxy}` : 'direct');
  if (base.route.family !== null && now.route.family !== null) note('family', `IPv${base.route.family}`, `IPv${now.route.family}`);
  return out;
}

/**
 * The latest run against a baseline: per target and phase the baseline and
 * the median of the recent runs (those since the baseline, latest included),
 * flagged when slower by the rule; TLS protocol, cipher, issuer, route and
 * address family changes between the baseline and the latest run.
 */
export function compareBaseline(baseline: ProbeBaseline, latest: ProbeReport, recent: RecentRuns, now: Date, rule = BASELINE_RULE): BaselineComparison {
  const current = new Map(baselineTargets(latest).map((t) => [t.target, t]));
  const since = recent.filter((r) => r.at > baseline.savedAt).slice(0, rule.runs);
  const targets: BaselineDelta[] = baseline.targets.map((base) => {
    const now = current.get(base.target);
    if (!now) return { target: base.target, presence: 'missing', phases: [], changes: [], regressed: false };
    const history = since.map((r) => r.phases.get(base.target)).filter((p): p is Phases => Boolean(p));
    const phases = phaseRows(base, history.length ? history : now.ok ? [now.phases] : [], rule);
    const changes = changesOf(base, now);
    const worse = changes.some((c) => c.what !== 'result') || (base.ok && !now.ok);
    return { target: base.target, presence: 'both', phases, changes, regressed: worse || phases.some((p) => p.slower) };
  });
  for (const t of current.values()) if (!baseline.targets.some((b) => b.target === t.target)) targets.push({ target: t.target, presence: 'new', phases: [], changes: [], regressed: false });
  const runtime = (r: { nodeVersion: string; execPath: string; openssl: string }) => `node ${r.nodeVersion} (OpenSSL ${r.openssl}) at ${r.execPath}`;
  return {
    name: baseline.name, savedAt: baseline.savedAt, comparedAt: now.toISOString(), rule: { ...rule },
    runtime: { before: runtime(baseline.runtime), after: runtime(latest.runtime) },
    targets, regressions: targets.filter((t) => t.regressed).length,
  };
}
