import { rm } from 'node:fs/promises';
import type { FixStep } from '../contract.ts';
import { readJson, writeJsonAtomic } from '../system/files.ts';

/** `clawbar watch pause --for 30m`: pages are logged, not sent, until `until`. */
export interface Pause { since: string; until: string; reason: string | null }

/** A clawbar fix restarting the gateway: its own outage is no page. */
export interface FixWindow { fixId: string; kind: string; step: string; since: string; until: string }

/** A fix that crashed mid-way cannot hold pages back for longer than this after its last step. */
export const FIX_WINDOW_MS = 180_000;

/** Steps after which the gateway may be down on purpose (files written, restarting, rolling back). */
const OPENS = new Set(['write', 'restart', 'rollback']);

const active = <T extends { until: string }>(value: T | null, now: Date): T | null => (value && Date.parse(value.until) > now.getTime() ? value : null);

export async function readPause(path: string, now: Date): Promise<Pause | null> {
  return active(await readJson<Pause | null>(path, null), now);
}

export async function writePause(path: string, pause: Pause): Promise<void> {
  await writeJsonAtomic(path, pause);
}

export async function clearPause(path: string): Promise<boolean> {
  const had = (await readJson<Pause | null>(path, null)) !== null;
  await rm(path, { force: true });
  return had;
}

export async function readFixWindow(path: string, now: Date): Promise<FixWindow | null> {
  return active(await readJson<FixWindow | null>(path, null), now);
}

/**
 * Follows a fix through its audit records (whoever runs it: the CLI, the app,
 * a second terminal): a write, restart or rollback opens or extends the
 * window; the end of verification or the final report closes it.
 */
export async function noteFixStep(path: string, record: { fixId: string; kind: string; step: FixStep }, now: Date): Promise<void> {
  const { step, status } = record.step;
  if (step === 'report' || (step === 'verify' && (status === 'ok' || status === 'failed'))) {
    await rm(path, { force: true });
    return;
  }
  if (!OPENS.has(step) && !(step === 'verify' && status === 'running')) return;
  const previous = await readJson<FixWindow | null>(path, null);
  const since = previous?.fixId === record.fixId ? previous.since : now.toISOString();
  await writeJsonAtomic(path, { fixId: record.fixId, kind: record.kind, step, since, until: new Date(now.getTime() + FIX_WINDOW_MS).toISOString() } satisfies FixWindow);
}
