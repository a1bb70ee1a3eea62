import type { ClockReport, Finding, HealthReport, Listener, ListenersReport, ProbeReport } from '../contract.ts';
import { formatOffset } from '../glance/clock.ts';
import type { Notice } from '../ipc-contract.ts';

/**
 * When to interrupt the operator: only on a change of state, never on a
 * steady one, so a gateway that stays down notifies once. Each notice names
 * the view a click should open.
 */

export function healthNotice(previous: HealthReport['state'] | null, next: HealthReport): Notice | null {
  if (next.state === previous) return null;
  if (next.state === 'down') {
    return { id: 'gateway.down', title: 'Gateway down', body: `${next.url} failed twice in a row (${next.error ?? 'no answer'}).`, view: 'overview' };
  }
  if (previous === 'down' && next.state === 'ok') return { id: 'gateway.up', title: 'Gateway back', body: `${next.url} answers again.`, view: 'overview' };
  if (next.state === 'degraded') {
    return { id: 'gateway.degraded', title: 'Gateway degraded', body: next.failing.length ? `Not ready: ${next.failing.join(', ')}` : `p95 latency ${next.p95Ms} ms`, view: 'overview' };
  }
  return null;
}

const exposedKey = (l: Listener) => `${l.process}|${l.port}|${l.address}`;

/**
 * A listener beyond loopback that the previous scan did not have. On the
 * first scan there is nothing to compare with, so only the critical ones
 * (the gateway's own port exposed) are worth a notification.
 */
export function listenerNotices(previous: ListenersReport | null, next: ListenersReport): Notice[] {
  const before = new Set((previous?.items ?? []).filter((l) => l.exposure !== 'loopback').map(exposedKey));
  const fresh = next.items.filter((l) => l.exposure !== 'loopback' && !before.has(exposedKey(l)) && (previous !== null || l.severity === 'critical'));
  return fresh.map((l) => ({
    id: `listener.${exposedKey(l)}`,
    title: l.severity === 'critical' ? 'Gateway port exposed' : 'New listener beyond loopback',
    body: `${l.process} (pid ${l.pid}) listens on ${l.address}:${l.port}${l.note ? ` — ${l.note}` : ''}`,
    view: 'listeners',
  }));
}

const CLOCK_RANK = { unknown: 0, ok: 0, warn: 1, critical: 2 } as const;

/** Only a clock getting worse: going back to ok needs no interruption. */
export function clockNotice(previous: ClockReport | null, next: ClockReport): Notice | null {
  if (next.offsetMs === null || CLOCK_RANK[next.state] <= CLOCK_RANK[previous?.state ?? 'ok']) return null;
  const broken = next.breaks.filter((b) => b.broken).map((b) => b.what);
  return {
    id: `clock.${next.state}`,
    title: `Clock off by ${formatOffset(next.offsetMs).slice(1)}`,
    body: broken.length ? `Breaks ${broken.join(', ')}.` : `Over the ${next.state === 'critical' ? 'critical' : 'warning'} threshold against ${next.server}.`,
    view: 'overview',
  };
}

/** Targets whose layer changed since the previous run of the same world (a first run compares with "all ok"). */
export function probeNotice(previous: ProbeReport | null, next: ProbeReport): Notice | null {
  const before = new Map((previous?.results ?? []).map((r) => [r.target, r.layer]));
  const changed = next.results.filter((r) => (before.get(r.target) ?? null) !== r.layer);
  if (changed.length === 0) return null;
  const parts = changed.map((r) => `${r.name ?? r.target}: ${r.layer ?? 'ok again'}`);
  const failing = changed.filter((r) => r.layer !== null).length;
  return {
    id: `probes.${next.traceId}`,
    title: failing ? `Egress: ${failing} target${failing > 1 ? 's' : ''} newly failing` : 'Egress recovered',
    body: parts.slice(0, 3).join('; ') + (parts.length > 3 ? `; +${parts.length - 3} more` : ''),
    view: 'probes',
  };
}

/**
 * A regression the automatic comparison after an upgrade found, from the
 * finding it stands as: once per comparison (its time tells one from
 * another with the same result). With nothing seen before (`previous` null:
 * a watcher just restarted, or just followed) a finding already there is no
 * news — the comparison was announced when it was made, maybe days ago.
 */
export function upgradeNotice(previous: readonly Finding[] | null, next: readonly Finding[]): Notice | null {
  const found = next.find((f) => f.id === 'probes.upgrade-regression');
  if (!found || !previous || previous.some((f) => f.id === found.id && (found.at ? f.at === found.at : f.title === found.title && f.detail === found.detail))) return null;
  return { id: found.id, title: found.title, body: (found.detail ?? '').split('\n').slice(0, 3).join('; '), view: 'probes' };
}
