import type { DownVerdict, EdgesReport } from '../contract.ts';
import { code, mdTable } from './markdown.ts';

/** The down verdict for a ticket: the line, the evidence under it, the action. */
export function verdictSection(verdict: DownVerdict | null | undefined): string[] {
  if (!verdict) return [];
  return ['', '## Why the gateway is down', '', `**${verdict.line}**`, '', ...verdict.evidence.map((e) => `- ${e}`), '', `Action: ${verdict.action}${verdict.remedy.command ? ` — ${code(verdict.remedy.command)}` : ''}`];
}

/** Every way in: the gateway's tree, Bonjour, the edges with their TLS and forwarded-header results, the remote paths. */
export function edgesSection(edges: EdgesReport | null | undefined): string[] {
  if (!edges) return [];
  const out = ['', `## Ways in (state ${edges.overall})`, ''];
  out.push(`Gateway port ${edges.gateway.port}, pid ${edges.gateway.pid ?? 'not found'}${edges.gateway.pidSource ? ` (from ${edges.gateway.pidSource})` : ''}; Bonjour ${edges.mdns.mode} (${edges.mdns.source}); trusted proxies: ${edges.gateway.trustedProxies.join(', ') || 'none'}; gateway.tailscale.mode ${edges.gateway.tailscaleMode}.`, '');
  if (edges.tree.length) out.push(...mdTable(['role', 'address', 'port', 'process', 'pid', 'severity'], edges.tree.map((t) => [t.role, t.address, t.port, t.process, t.pid, t.severity])), '');
  out.push(...(edges.proxies.length === 0 ? ['No reverse proxy in front of the gateway was found.'] : mdTable(['edge', 'process', 'TLS accepted', 'certificate', 'HSTS', 'upstream', 'forged X-Forwarded-For'], edges.proxies.map((p) => [
    p.url, p.process ?? p.server ?? '', p.tls ? p.tls.versions.filter((v) => v.accepted).map((v) => v.version).join(', ') : 'plain HTTP',
    p.tls ? `${p.tls.subject ?? '?'}, ${p.tls.daysToExpiry ?? '?'} d left${p.tls.selfSigned ? ', self-signed' : ''}` : '', p.tls?.hsts ?? 'no', p.upstream.loopback === null ? 'unknown' : p.upstream.loopback ? 'loopback' : 'not loopback only', p.forgedHeader.detail,
  ]))));
  out.push('', `Forged X-Forwarded-For sent directly${edges.forwarded.direct.source ? ` from ${edges.forwarded.direct.source}` : ''}: ${edges.forwarded.direct.detail}.`, '');
  out.push(...(edges.remote.length === 0 ? ['No remote path found.'] : edges.remote.map((r) => `- ${r.kind}: ${r.detail}${r.toGateway ? '' : ' (not to the gateway)'}`)));
  for (const u of edges.unavailable) out.push(`- not checked: ${u}`);
  return out;
}
