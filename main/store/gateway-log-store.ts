import { z } from 'zod';
import { Layer, type GatewayLogErrors } from '../contract.ts';
import type { Classified } from '../glance/gateway-log.ts';
import { readJson, writeJsonAtomic } from '../system/files.ts';

/**
 * What clawbar keeps of the gateway's logs: how far each file was read, the
 * errors per hour (per layer and per host) for a week, and totals since the
 * first read (the metrics' counters). Hosts per hour are capped so a flood of
 * names cannot grow the file: past the cap they count as "other".
 */

const HOURS_KEPT = 7 * 24;
const HOSTS_PER_HOUR = 20;
const HOUR_MS = 3_600_000;
/** A layer's rate "jumps" when its last hour is this many times its usual hourly rate, and at least JUMP_MIN errors. */
export const JUMP_FACTOR = 3;
export const JUMP_MIN = 10;

const Cursor = z.object({ path: z.string(), ino: z.number(), offset: z.number(), head: z.string() });
const Hour = z.object({ hour: z.string(), byLayer: z.record(z.string(), z.number()), byHost: z.record(z.string(), z.number()) });
export const GatewayLogState = z.object({
  schema: z.literal('clawbar.gateway-log/1'),
  since: z.string(),
  cursors: z.array(Cursor),
  hours: z.array(Hour),
  totals: z.record(z.string(), z.number()),
});
export type GatewayLogState = z.infer<typeof GatewayLogState>;

export async function loadLogState(path: string, now: Date): Promise<GatewayLogState> {
  const parsed = GatewayLogState.safeParse(await readJson<unknown>(path, null));
  return parsed.success ? parsed.data : { schema: 'clawbar.gateway-log/1', since: now.toISOString(), cursors: [], hours: [], totals: {} };
}

export const saveLogState = (path: string, state: GatewayLogState) => writeJsonAtomic(path, state);

/** `2026-01-02T13` (UTC) for a record's time, or for now when it has none. */
export function hourOf(time: unknown, now: Date): string {
  const parsed = typeof time === 'string' ? Date.parse(time) : Number.NaN;
  return new Date(Number.isFinite(parsed) ? parsed : now.getTime()).toISOString().slice(0, 13);
}

/** Counts one classified record into its hour and the totals (mutates the state it is given). */
export function countRecord(state: GatewayLogState, hour: string, found: Classified): void {
  let bucket = state.hours.find((h) => h.hour === hour);
  if (!bucket) { bucket = { hour, byLayer: {}, byHost: {} }; state.hours.push(bucket); }
  bucket.byLayer[found.layer] = (bucket.byLayer[found.layer] ?? 0) + 1;
  const known = Object.keys(bucket.byHost).length;
  const key = `${known >= HOSTS_PER_HOUR && !(`${found.host}|${found.layer}` in bucket.byHost) ? 'other' : found.host}|${found.layer}`;
  bucket.byHost[key] = (bucket.byHost[key] ?? 0) + 1;
  state.totals[found.layer] = (state.totals[found.layer] ?? 0) + 1;
}

/** Drops hours older than a week, oldest first. */
export function pruneHours(state: GatewayLogState, now: Date): void {
  const oldest = new Date(now.getTime() - HOURS_KEPT * HOUR_MS).toISOString().slice(0, 13);
  state.hours = state.hours.filter((h) => h.hour >= oldest).sort((a, b) => a.hour.localeCompare(b.hour));
}

function window(state: GatewayLogState, fromMs: number, toMs: number): GatewayLogErrors['lastHour'] {
  const from = new Date(fromMs).toISOString().slice(0, 13);
  const to = new Date(toMs).toISOString().slice(0, 13);
  const byLayer: Record<string, number> = {};
  const byHost = new Map<string, number>();
  for (const h of state.hours.filter((x) => x.hour >= from && x.hour <= to)) {
    for (const [layer, n] of Object.entries(h.byLayer)) byLayer[layer] = (byLayer[layer] ?? 0) + n;
    for (const [key, n] of Object.entries(h.byHost)) byHost.set(key, (byHost.get(key) ?? 0) + n);
  }
  const hosts = [...byHost].map(([key, count]) => ({ host: key.slice(0, key.lastIndexOf('|')), layer: key.slice(key.lastIndexOf('|') + 1), count }))
    .filter((h): h is { host: string; layer: Layer; count: number } => Layer.safeParse(h.layer).success).sort((a, b) => b.count - a.count).slice(0, 10);
  return { from: `${from}:00:00Z`, to: new Date(toMs).toISOString(), byLayer, byHost: hosts };
}

/** Every clock hour (UTC) from the one holding `fromMs` to the one holding `toMs`, oldest first, with its errors per layer (none: empty). */
export function hoursBetween(state: GatewayLogState, fromMs: number, toMs: number): Array<{ hour: string; byLayer: Record<string, number> }> {
  const kept = new Map(state.hours.map((h) => [h.hour, h.byLayer]));
  const out: Array<{ hour: string; byLayer: Record<string, number> }> = [];
  for (let at = Math.floor(fromMs / HOUR_MS) * HOUR_MS; at <= toMs; at += HOUR_MS) {
    const hour = new Date(at).toISOString();
    out.push({ hour, byLayer: { ...kept.get(hour.slice(0, 13)) } });
  }
  return out;
}

/** The hours `summarise` counts as the last day, for a chart whose bars add up to `lastDay`. */
export const lastDayHours = (state: GatewayLogState, now: Date) => hoursBetween(state, now.getTime() - 24 * HOUR_MS, now.getTime());

/**
 * The summary every face shows: totals, the last hour (this clock hour and
 * the one before, UTC buckets), the last day, and the layers whose last hour
 * jumped against their usual rate over the day before it.
 */
export function summarise(state: GatewayLogState, files: string[], readable: boolean, now: Date): GatewayLogErrors {
  const t = now.getTime();
  const hourStart = Math.floor(t / HOUR_MS) * HOUR_MS;
  const lastHour = window(state, hourStart - HOUR_MS, t);
  const before = window(state, hourStart - 25 * HOUR_MS, hourStart - 2 * HOUR_MS);
  const hoursInLast = (t - (hourStart - HOUR_MS)) / HOUR_MS;
  const jumps = Object.entries(lastHour.byLayer).flatMap(([layer, count]) => {
    const usual = (before.byLayer[layer] ?? 0) / 24;
    const rate = count / hoursInLast;
    return count >= JUMP_MIN && rate >= JUMP_FACTOR * Math.max(usual, 1 / 24) ? [{ layer: layer as Layer, lastHour: count, usualPerHour: Math.round(usual * 100) / 100 }] : [];
  });
  return { files, readable, totals: { ...state.totals }, lastHour, lastDay: window(state, t - 24 * HOUR_MS, t), jumps };
}
