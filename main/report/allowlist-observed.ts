import type { AllowlistObserved, EgressDestination, EgressObservations } from '../contract.ts';
import type { AllowlistRow } from '../probes/targets.ts';

/**
 * The firewall ticket against what the gateway really connected to: rows
 * allowlisted and seen, rows never seen in the window (unless the daemon
 * reaches them through a proxy, where sockets cannot tell), and destinations
 * seen that no row covers — with address, name and how often, the rows a
 * ticket is missing. Connections to the proxy itself are left out of the
 * last list: the proxy is infrastructure, not a destination.
 */
export function compareWithAllowlist(rows: AllowlistRow[], kept: EgressObservations | null, viaProxy: (row: AllowlistRow) => boolean): AllowlistObserved | null {
  if (!kept || kept.samples === 0) return null;
  const matches = (row: AllowlistRow, d: EgressDestination) => d.port === row.port && (d.names.some((n) => n.toLowerCase() === row.host.toLowerCase()) || d.address === row.host.toLowerCase().replace(/^\[|\]$/g, ''));
  const covered = new Set<EgressDestination>();
  const seen: AllowlistObserved['allowlistedSeen'] = [];
  const never: AllowlistObserved['allowlistedNeverSeen'] = [];
  for (const row of rows) {
    const hits = kept.destinations.filter((d) => matches(row, d));
    hits.forEach((d) => covered.add(d));
    const entry = {
      host: row.host, port: row.port, addresses: hits.map((d) => d.address), connections: hits.reduce((n, d) => n + d.connections, 0),
      lastSeen: hits.reduce<string | null>((max, d) => (max === null || d.lastSeen > max ? d.lastSeen : max), null), viaProxy: viaProxy(row),
    };
    (hits.length ? seen : never).push(entry);
  }
  const unlisted = kept.destinations.filter((d) => !covered.has(d) && d.attribution !== 'proxy').sort((a, b) => b.connections - a.connections);
  return { since: kept.since, until: kept.until, allowlistedSeen: seen, allowlistedNeverSeen: never, seenNotAllowlisted: unlisted };
}
