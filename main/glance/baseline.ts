import type { Listener } from '../contract.ts';
import type { z } from 'zod';
import type { ListenerChange } from '../contract.ts';

type Change = z.infer<typeof ListenerChange>;

export interface BaselineEntry { key: string; process: string; port: number; family: number | null; address: string }
export interface Baseline { savedAt: string; items: BaselineEntry[] }

/** A listener's identity across runs: process name, port and family — not pid, which changes on restart. */
export const listenerKey = (l: Pick<Listener, 'process' | 'port' | 'family'>) => `${l.process}|${l.port}|${l.family ?? '?'}`;

export function toBaseline(items: Listener[], now = new Date()): Baseline {
  return { savedAt: now.toISOString(), items: items.map((l) => ({ key: listenerKey(l), process: l.process, port: l.port, family: l.family, address: l.address })) };
}

/** What appeared, disappeared or moved to another address since the baseline, with how long each new one has existed. */
export function diffBaseline(baseline: Baseline, items: Listener[], firstSeen: Record<string, string>, now = Date.now()): Change[] {
  const before = new Map<string, BaselineEntry[]>();
  for (const entry of baseline.items) before.set(entry.key, [...(before.get(entry.key) ?? []), entry]);
  const after = new Map<string, Listener[]>();
  for (const item of items) after.set(listenerKey(item), [...(after.get(listenerKey(item)) ?? []), item]);
  const changes: Change[] = [];
  const age = (key: string) => (firstSeen[key] ? Math.round(((now - Date.parse(firstSeen[key]!)) / 3_600_000) * 10) / 10 : null);
  for (const [key, current] of after) {
    const previous = before.get(key);
    if (!previous) {
      for (const item of current) changes.push({ change: 'new', key, port: item.port, process: item.process, address: item.address, previousAddress: null, firstSeen: firstSeen[key] ?? null, ageHours: age(key) });
      continue;
    }
    const oldAddresses = new Set(previous.map((p) => p.address));
    for (const item of current) {
      if (!oldAddresses.has(item.address)) changes.push({ change: 'rebound', key, port: item.port, process: item.process, address: item.address, previousAddress: previous[0]!.address, firstSeen: firstSeen[key] ?? null, ageHours: age(key) });
    }
  }
  for (const [key, previous] of before) {
    if (!after.has(key)) for (const p of previous) changes.push({ change: 'gone', key, port: p.port, process: p.process, address: p.address, previousAddress: null, firstSeen: null, ageHours: null });
  }
  return changes;
}
