import { randomUUID } from 'node:crypto';
import type { StatusReport } from '../contract.ts';
import { readJson, writeJsonAtomic } from '../system/files.ts';
import { appendJsonLines } from './jsonl-log.ts';

/** The checks whose state is remembered between runs; each change is one log line. */
export const STATE_CHECKS = ['overall', 'gateway', 'listeners', 'clock'] as const;
export type StateCheck = (typeof STATE_CHECKS)[number];

export interface Observation {
  state: string;
  /** One line on why (the worst finding's title, the gateway's error), redacted by the caller. */
  detail: string | null;
}

type Remembered = Partial<Record<StateCheck, { state: string; since: string }>>;

export interface StateLogPaths {
  /** The last state of each check and since when (`files.lastStates`). */
  statePath: string;
  /** `files.statusLog`, beside probes.jsonl. */
  logPath: string;
}

/** The per-check states of one status look, with the reason a reader of the log needs. */
export function observeStatus(report: StatusReport): Partial<Record<StateCheck, Observation>> {
  const worst = (prefix: string) => report.findings.find((f) => f.id.startsWith(prefix) && f.severity !== 'ok')?.title ?? null;
  const g = report.gateway;
  return {
    overall: { state: report.overall, detail: report.findings.find((f) => f.severity !== 'ok')?.title ?? null },
    gateway: { state: g.state, detail: g.error ?? (g.latencyMs !== null ? `${g.url} answered in ${g.latencyMs} ms` : null) },
    listeners: { state: report.listeners.state, detail: worst('listeners.') },
    clock: { state: report.clock.state, detail: report.clock.offsetMs !== null ? `offset ${report.clock.offsetMs} ms (${report.clock.method}, ${report.clock.server})` : worst('clock.') },
  };
}

/**
 * Compares what was just observed with the states remembered from the last
 * run (the CLI and the app share the file) and appends one JSON line per
 * check whose state changed — the first observation of a check counts as a
 * change from null. Checks not observed this time keep their remembered state.
 */
export async function recordStateChanges(
  observed: Partial<Record<StateCheck, Observation>>,
  options: StateLogPaths & { source: string; traceId?: string; now?: Date },
): Promise<object[]> {
  const now = (options.now ?? new Date()).toISOString();
  const traceId = options.traceId ?? randomUUID();
  const stored = await readJson<unknown>(options.statePath, null);
  const before: Remembered = stored && typeof stored === 'object' && !Array.isArray(stored) ? stored as Remembered : {};
  const after: Remembered = { ...before };
  const lines: object[] = [];
  for (const check of STATE_CHECKS) {
    const seen = observed[check];
    if (!seen) continue;
    const previous = before[check];
    if (previous?.state === seen.state) continue;
    after[check] = { state: seen.state, since: now };
    lines.push({ time: now, traceId, event: 'state-change', source: options.source, check, from: previous?.state ?? null, to: seen.state, previousSince: previous?.since ?? null, detail: seen.detail });
  }
  if (lines.length === 0) return lines;
  await appendJsonLines(options.logPath, lines);
  await writeJsonAtomic(options.statePath, after);
  return lines;
}
