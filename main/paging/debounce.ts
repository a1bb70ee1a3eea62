/**
 * Gatus-style debounce for every paged check, as pure state: a failure pages
 * only after `failureThreshold` consecutive failing looks (within
 * `failureWindowMs` when set: the runbook's "two consecutive failures within
 * 120 s"), a page resolves after `successThreshold` good looks, and a check
 * still failing is reminded every `reminderMs`. A single blip pages nothing.
 */

export interface Rule {
  enabled: boolean;
  failureThreshold: number;
  /** The failing looks that page must all fall within this span; null = however far apart. */
  failureWindowMs: number | null;
  successThreshold: number;
  /** 0 = no reminders. */
  reminderMs: number;
  sendResolved: boolean;
}

/** One look at a check: failing or not, with what a page needs to say. */
export interface Observation {
  key: string;
  failing: boolean;
  at: number;
  /** The state word shown as `to` (down, exposed, critical, tls-trust…). */
  state: string;
  detail: string;
  fix: string | null;
  severity: 'critical' | 'warning';
  traceId: string | null;
}

export interface Track {
  status: 'ok' | 'pending' | 'firing' | 'recovering';
  /** The latest failing looks of the current streak (at most failureThreshold). */
  failures: number[];
  successes: number;
  /** The state before the streak began (`from` of a firing page). */
  okState: string;
  /** The failing state being paged (`from` of a resolved page). */
  badState: string;
  /** When the current streak (failing, or recovering) began (ms). */
  streakSince: number;
  /** When the failure being paged began (ms): a resolved page still names it. */
  failingSince: number | null;
  firedAt: number | null;
  lastPagedAt: number | null;
  /** Whether a firing page actually went out (false while maintenance held it back). */
  notified: boolean;
  last: Omit<Observation, 'key' | 'failing' | 'at'>;
}

export type Transition = 'firing' | 'reminder' | 'resolved';

const fresh = (obs: Observation): Track => ({
  status: 'ok', failures: [], successes: 0, okState: obs.failing ? 'ok' : obs.state, badState: obs.state, streakSince: obs.at, failingSince: null,
  firedAt: null, lastPagedAt: null, notified: false, last: { state: obs.state, detail: obs.detail, fix: obs.fix, severity: obs.severity, traceId: obs.traceId },
});

/** Advances one check's track by one look; returns the page to send, if any. */
export function step(previous: Track | undefined, obs: Observation, rule: Rule): { track: Track; transition: Transition | null } {
  const track: Track = previous ? { ...previous, failures: [...previous.failures] } : fresh(obs);
  track.last = { state: obs.state, detail: obs.detail, fix: obs.fix, severity: obs.severity, traceId: obs.traceId };
  if (!rule.enabled) return { track: { ...fresh(obs), status: 'ok' }, transition: null };
  if (obs.failing) {
    if (track.status === 'firing' || track.status === 'recovering') {
      track.status = 'firing';
      track.successes = 0;
      track.badState = obs.state;
      const due = rule.reminderMs > 0 && track.lastPagedAt !== null && obs.at - track.lastPagedAt >= rule.reminderMs;
      if (due) track.lastPagedAt = obs.at;
      return { track, transition: due ? 'reminder' : null };
    }
    if (track.status === 'ok') {
      track.streakSince = obs.at;
      track.failingSince = obs.at;
      track.failures = [];
    }
    track.failures = [...track.failures, obs.at].slice(-rule.failureThreshold);
    track.badState = obs.state;
    const enough = track.failures.length >= rule.failureThreshold;
    const within = rule.failureWindowMs === null || obs.at - track.failures[0]! <= rule.failureWindowMs;
    if (enough && within) {
      track.status = 'firing';
      track.firedAt = obs.at;
      track.lastPagedAt = obs.at;
      track.successes = 0;
      return { track, transition: 'firing' };
    }
    track.status = 'pending';
    return { track, transition: null };
  }
  if (track.status === 'pending' || track.status === 'ok') {
    // A blip that never reached the threshold: forgotten, nothing was sent.
    track.status = 'ok';
    track.failures = [];
    track.failingSince = null;
    track.okState = obs.state;
    return { track, transition: null };
  }
  if (track.successes === 0) track.streakSince = obs.at;
  track.successes++;
  if (track.successes < rule.successThreshold) {
    track.status = 'recovering';
    return { track, transition: null };
  }
  track.status = 'ok';
  track.failures = [];
  track.okState = obs.state;
  track.firedAt = null;
  return { track, transition: 'resolved' };
}

/** Whether a check sits between states (a failure not yet confirmed, or a recovery not yet confirmed): worth a prompt second look. */
export const unsettled = (track: Track | undefined) => track?.status === 'pending' || track?.status === 'recovering';
