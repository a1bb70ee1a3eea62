import type { Settings } from '../settings-schema.ts';

/**
 * Which notices reach the operator. The agent already emits only changes of
 * state; this adds the operator's per-area choices and a debounce, so a
 * flapping gateway or a listener that comes and goes cannot fire the same
 * notification again and again.
 */

/** Long enough to ride out a flap, short enough that a new outage an hour later is news again. */
export const NOTICE_REPEAT_WINDOW_MS = 15 * 60_000;

type NotifyChoice = 'notifyGateway' | 'notifyListeners' | 'notifyClock' | 'notifyEgress';

/** The settings switch that governs a notice, from the area prefix of its id (`gateway.down`, `listener.…`). */
export function choiceFor(id: string): NotifyChoice | null {
  const area = id.split('.', 1)[0];
  if (area === 'gateway') return 'notifyGateway';
  if (area === 'listener') return 'notifyListeners';
  if (area === 'clock') return 'notifyClock';
  if (area === 'probes') return 'notifyEgress';
  return null;
}

/** Whether the operator wants notices of this kind; unknown kinds pass, so a new notice is not lost silently. */
export function wanted(id: string, settings: Pick<Settings, NotifyChoice>): boolean {
  const choice = choiceFor(id);
  return choice === null || settings[choice];
}

/**
 * A debouncer by notice id: `admit(id)` is true unless the same id was
 * admitted within `windowMs`. Memory stays bounded by pruning expired ids.
 */
export function createDebouncer(windowMs = NOTICE_REPEAT_WINDOW_MS, now: () => number = Date.now): (id: string) => boolean {
  const last = new Map<string, number>();
  return (id) => {
    const at = now();
    for (const [key, time] of last) if (at - time >= windowMs) last.delete(key);
    if (last.has(id)) return false;
    last.set(id, at);
    return true;
  };
}
