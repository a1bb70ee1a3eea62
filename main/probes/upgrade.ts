import type { DaemonRuntime, NodeBinary, RuntimeChange } from '../contract.ts';

/**
 * Noticing an upgrade under the daemon: a new gateway version (as its
 * `/startupz` reports it) or another node binary (path or version) than the
 * one last seen. Pure: the agent looks, the session keeps what was seen.
 */

export function emptyRuntime(): DaemonRuntime {
  return { schema: 'clawbar.daemon-runtime/1', gatewayVersion: null, node: null, pending: null, lastCheck: null };
}

export interface RuntimeLook {
  /** null while the gateway does not answer (or has no `/startupz`): nothing is learnt, nothing forgotten. */
  gatewayVersion: string | null;
  /** null when the service names no node binary that exists. */
  node: NodeBinary | null;
}

const sameNode = (a: { path: string; version: string | null }, b: { path: string; version: string | null }) =>
  a.path === b.path && (a.version === null || b.version === null || a.version === b.version);

/** Adds a change to those still pending: the first `before` stays, the latest `after` wins, and a change undone is no change. */
function merge(pending: RuntimeChange[], change: RuntimeChange): RuntimeChange[] {
  const earlier = pending.find((c) => c.what === change.what);
  const rest = pending.filter((c) => c.what !== change.what);
  if (!earlier) return [...rest, change];
  const merged = { ...earlier, after: change.after } as RuntimeChange;
  const undone = merged.what === 'gateway' ? merged.before === merged.after : sameNode(merged.before, merged.after);
  return undone ? rest : [...rest, merged];
}

/**
 * One look against what was last seen. The first sight of a value only
 * remembers it; a different value is a change, added to the pending ones
 * (whose quiet period starts again). A node binary counts as different when
 * its path or its version differs (a reinstall of the same version at the
 * same path is not an upgrade).
 */
export function noteRuntime(seen: DaemonRuntime, look: RuntimeLook, at: Date): { next: DaemonRuntime; changes: RuntimeChange[] } {
  const changes: RuntimeChange[] = [];
  let { gatewayVersion, node } = seen;
  if (look.gatewayVersion !== null) {
    if (gatewayVersion !== null && gatewayVersion !== look.gatewayVersion) changes.push({ what: 'gateway', before: gatewayVersion, after: look.gatewayVersion });
    gatewayVersion = look.gatewayVersion;
  }
  if (look.node !== null) {
    const before = node && { path: node.path, version: node.version };
    const after = { path: look.node.path, version: look.node.version ?? (node?.path === look.node.path ? node.version : null) };
    if (before && !sameNode(before, after)) changes.push({ what: 'node', before, after });
    node = { ...look.node, version: after.version };
  }
  let pending = seen.pending;
  if (changes.length > 0) {
    const merged = changes.reduce(merge, pending?.changes ?? []);
    pending = merged.length ? { since: at.toISOString(), changes: merged } : null;
  }
  return { next: { ...seen, gatewayVersion, node, pending }, changes };
}

/** "gateway 2026.9.6 → 2026.9.7", "node v24.1.0 → v24.2.0", "node /usr/local/bin/node → /opt/homebrew/bin/node". */
export function changeText(change: RuntimeChange): string {
  if (change.what === 'gateway') return `gateway ${change.before} → ${change.after}`;
  const { before, after } = change;
  const version = (v: string | null) => v ?? 'unknown version';
  if (before.path === after.path) return `node ${version(before.version)} → ${version(after.version)}`;
  if (before.version === after.version) return `node ${before.path} → ${after.path}`;
  return `node ${version(before.version)} at ${before.path} → ${version(after.version)} at ${after.path}`;
}

export const changesText = (changes: RuntimeChange[]) => changes.map(changeText).join(' and ');
