import { DownCause, RemotePath, type StatusReport } from '../contract.ts';

/**
 * Gauges for the ways in and the down verdict, from a status look that
 * carries them. Labels stay bounded: a cause or a path kind, never a URL.
 */
interface Sample { labels?: Record<string, string>; value: number }
interface Family { name: string; help: string; samples: Sample[] }

const KINDS = RemotePath.shape.kind.options;

export function edgeFamilies(status: StatusReport): Family[] {
  const families: Family[] = [];
  if (status.verdict !== undefined) {
    const cause = status.verdict?.cause ?? null;
    families.push({ name: 'clawbar_gateway_down_cause', help: 'Why the gateway is down, one-hot over the verdict causes (all 0 while it answers).', samples: DownCause.options.map((c) => ({ labels: { cause: c }, value: c === cause ? 1 : 0 })) });
  }
  const edges = status.edges;
  if (!edges) return families;
  const weak = edges.proxies.filter((p) => p.tls?.versions.some((v) => v.accepted && (v.version === 'TLSv1' || v.version === 'TLSv1.1'))).length;
  families.push(
    { name: 'clawbar_edge_proxies', help: 'Reverse proxies found in front of the gateway, by transport.', samples: [{ labels: { transport: 'tls' }, value: edges.proxies.filter((p) => p.tls).length }, { labels: { transport: 'plain' }, value: edges.proxies.filter((p) => !p.tls).length }] },
    { name: 'clawbar_edge_proxies_weak_tls', help: 'Edges that accept TLS 1.0 or 1.1.', samples: [{ value: weak }] },
    { name: 'clawbar_edge_proxies_forwarded_forgeable', help: "Edges through which a forged X-Forwarded-For reaches the gateway as the client's identity.", samples: [{ value: edges.proxies.filter((p) => p.forgedHeader.reachedGateway === true).length }] },
    { name: 'clawbar_edge_tree_listeners_exposed', help: "Listeners of the gateway's process tree beyond loopback, by role.", samples: (['browser-control', 'cdp', 'other'] as const).map((role) => ({ labels: { role }, value: edges.tree.filter((t) => t.role === role && t.exposure !== 'loopback').length })) },
    { name: 'clawbar_edge_remote_paths', help: 'Remote paths that reach the gateway, by kind.', samples: KINDS.map((kind) => ({ labels: { kind }, value: edges.remote.filter((r) => r.kind === kind && r.toGateway).length })) },
    { name: 'clawbar_edge_mdns_full', help: 'Whether Bonjour advertises in full mode (CLI path and SSH port).', samples: [{ value: edges.mdns.mode === 'full' ? 1 : 0 }] },
  );
  return families;
}
