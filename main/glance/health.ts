import { EventEmitter } from 'node:events';
import type { HealthReport } from '../contract.ts';
import { httpGet, HttpGetError } from '../system/http-get.ts';
import { Periodic } from '../system/periodic.ts';

/** Thresholds from the hardening runbook: p95 under 300 ms when idle, investigate above 800 ms for 5 probes, page on 2 failures in 120 s. */
export interface HealthThresholds {
  okP95Ms: number;
  degradedP95Ms: number;
  degradedConsecutive: number;
  downFailures: number;
  downWindowMs: number;
  timeoutMs: number;
  ringSize: number;
}

export const DEFAULT_HEALTH: HealthThresholds = {
  okP95Ms: 300, degradedP95Ms: 800, degradedConsecutive: 5, downFailures: 2, downWindowMs: 120_000, timeoutMs: 5_000, ringSize: 60,
};

export interface HealthSample {
  at: number;
  ok: boolean;
  latencyMs: number | null;
  status: number | null;
  ready: { ready: boolean; failing: string[] } | null;
  version: string | null;
  uptimeMs: number | null;
  error: string | null;
}

/** One look at the gateway: `/health` timed, then `/readyz` for the `failing` list and `/startupz` for the version. */
export async function sampleHealth(baseUrl: string, timeoutMs: number): Promise<HealthSample> {
  const at = Date.now();
  const started = performance.now();
  let latencyMs: number | null = null;
  try {
    const health = await httpGet(`${baseUrl}/health`, { timeoutMs, headers: { 'user-agent': 'clawbar-health/0.1' }, onHeaders: () => { latencyMs = Math.round((performance.now() - started) * 100) / 100; } });
    let ready: HealthSample['ready'] = null;
    let uptimeMs: number | null = null;
    try {
      const body = JSON.parse((await httpGet(`${baseUrl}/readyz`, { timeoutMs })).body) as { ready?: boolean; failing?: unknown; uptimeMs?: number };
      ready = { ready: body.ready === true, failing: Array.isArray(body.failing) ? body.failing.filter((f): f is string => typeof f === 'string') : [] };
      uptimeMs = typeof body.uptimeMs === 'number' ? body.uptimeMs : null;
    } catch { /* readiness is a detail; health decides up or down */ }
    let version: string | null = null;
    try {
      const startup = JSON.parse((await httpGet(`${baseUrl}/startupz`, { timeoutMs })).body) as { version?: unknown };
      version = typeof startup.version === 'string' ? startup.version : null;
    } catch { /* older gateways have no /startupz */ }
    return { at, ok: health.status === 200, latencyMs, status: health.status, ready, version, uptimeMs, error: health.status === 200 ? null : `HTTP ${health.status}` };
  } catch (error) {
    const code = error instanceof HttpGetError ? error.code : (error as Error).name;
    return { at, ok: false, latencyMs: null, status: null, ready: null, version: null, uptimeMs: null, error: code === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : code };
  }
}

export function p95(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
}

/**
 * Turns samples into ok / degraded / down. Pure state, no timers: the
 * scheduler and the one-shot `status` both feed it.
 */
export class HealthTracker {
  private readonly ring: HealthSample[] = [];
  private slowStreak = 0;
  readonly thresholds: HealthThresholds;
  readonly url: string;
  constructor(url: string, thresholds: Partial<HealthThresholds> = {}) {
    this.url = url;
    this.thresholds = { ...DEFAULT_HEALTH, ...thresholds };
  }

  add(sample: HealthSample): HealthReport {
    this.ring.push(sample);
    if (this.ring.length > this.thresholds.ringSize) this.ring.shift();
    const currentP95 = p95(this.ring.filter((s) => s.ok && s.latencyMs !== null).map((s) => s.latencyMs!));
    this.slowStreak = sample.ok && currentP95 !== null && currentP95 >= this.thresholds.degradedP95Ms ? this.slowStreak + 1 : sample.ok ? 0 : this.slowStreak;
    return this.report();
  }

  get samples(): readonly HealthSample[] { return this.ring; }

  report(): HealthReport {
    const last = this.ring[this.ring.length - 1];
    const t = this.thresholds;
    let consecutiveFailures = 0;
    for (let i = this.ring.length - 1; i >= 0 && !this.ring[i]!.ok; i--) consecutiveFailures++;
    const failures = this.ring.slice(-t.downFailures);
    const down = failures.length === t.downFailures && failures.every((s) => !s.ok) && last!.at - failures[0]!.at <= t.downWindowMs;
    const okLatencies = this.ring.filter((s) => s.ok && s.latencyMs !== null).map((s) => s.latencyMs!);
    const lastGood = [...this.ring].reverse().find((s) => s.ok);
    let state: HealthReport['state'] = 'unknown';
    if (!last) state = 'unknown';
    else if (down) state = 'down';
    else if (!last.ok) state = lastGood ? 'ok' : 'unknown';
    else if ((last.ready && !last.ready.ready) || this.slowStreak >= t.degradedConsecutive) state = 'degraded';
    else state = 'ok';
    return {
      state,
      url: this.url,
      latencyMs: last?.latencyMs ?? null,
      p95Ms: p95(okLatencies),
      failing: last?.ready?.failing ?? [],
      status: last?.status ?? null,
      error: last?.error ?? null,
      version: lastGood?.version ?? null,
      uptimeMs: lastGood?.uptimeMs ?? null,
      consecutiveFailures,
    };
  }
}

/**
 * Samples on an interval without overlapping runs and emits `state` only when
 * the state changes (so a notification fires once per change) and `sample`
 * on every run. `stop()` waits for a run in flight.
 */
export class HealthScheduler extends EventEmitter {
  readonly tracker: HealthTracker;
  readonly baseUrl: string;
  private lastState: HealthReport['state'] | null = null;
  private readonly loop: Periodic;

  constructor(baseUrl: string, intervalMs = 60_000, thresholds: Partial<HealthThresholds> = {}) {
    super();
    this.baseUrl = baseUrl;
    this.tracker = new HealthTracker(`${baseUrl}/health`, thresholds);
    this.loop = new Periodic(intervalMs, () => this.sampleOnce());
  }

  /** Samples now, then every interval, never two at once. */
  start(): void {
    this.loop.start();
  }

  /** Runs one sample now unless one is already running (then waits for it). */
  async runNow(): Promise<HealthReport> {
    await this.loop.runNow();
    return this.tracker.report();
  }

  private async sampleOnce(): Promise<void> {
    const report = this.tracker.add(await sampleHealth(this.baseUrl, this.tracker.thresholds.timeoutMs));
    this.emit('sample', report);
    if (report.state !== this.lastState) {
      this.lastState = report.state;
      this.emit('state', report);
    }
  }

  /** Clears the timer and waits for a sample in flight. */
  stop(): Promise<void> {
    return this.loop.stop();
  }
}
