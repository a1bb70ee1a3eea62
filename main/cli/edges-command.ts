import type { EdgesReport, ProxyEdge } from '../contract.ts';
import type { Session } from '../session/session.ts';
import { UsageError } from '../system/errors.ts';
import type { Out } from './emit.ts';
import { badge, exitFor, formatFindings, heading, table } from './output.ts';

/** `clawbar edges [--edge URL]... [--plist PATH]`: every way into the gateway, and what each one lets through. */
export async function edgesCommand(session: Session, args: { json: boolean; edge: string[]; plist?: string }, out: Out): Promise<number> {
  for (const url of args.edge) {
    let parsed: URL;
    try { parsed = new URL(url); } catch { throw new UsageError(`edges: --edge ${url} is not a URL`); }
    if (!/^https?:$/.test(parsed.protocol)) throw new UsageError(`edges: --edge ${url} must be http:// or https://`);
  }
  const service = await session.service(args.plist);
  const report = await session.edges(service, args.edge);
  out.print(args.json, report, () => formatEdges(report));
  return exitFor(report.overall);
}

function tlsCell(edge: ProxyEdge): string {
  const tls = edge.tls;
  if (!tls) return 'plain HTTP';
  const accepted = tls.versions.filter((v) => v.accepted).map((v) => v.version.replace('TLSv', ''));
  return `TLS ${accepted.join('/') || 'none'}${tls.daysToExpiry !== null ? `, expires in ${tls.daysToExpiry} d` : ''}${tls.selfSigned ? ', self-signed' : ''}, HSTS ${tls.hsts ? 'on' : 'off'}`;
}

export function formatEdges(report: EdgesReport): string {
  const g = report.gateway;
  const lines = [
    `${heading('Edges')}  ${badge(report.overall)}  gateway port ${g.port}${g.pid !== null ? `, pid ${g.pid} (from ${g.pidSource})` : ', no gateway process found'}`,
    '',
    heading("The gateway's process tree"),
    ...(report.tree.length === 0 ? ['  no listeners found for it'] : table([['role', 'address', 'port', 'process', 'pid', ''], ...report.tree.map((t) => [t.role, t.address, String(t.port), t.process, String(t.pid), t.severity === 'ok' ? '' : t.severity.toUpperCase()])])),
    `  Bonjour: ${report.mdns.mode} (${report.mdns.source})${report.mdns.advertising ? ', advertising' : ''}`,
    '',
    heading('Reverse proxies in front of it'),
    ...(report.proxies.length === 0 ? ['  none found (add one elsewhere with --edge URL)'] : report.proxies.flatMap((p) => [
      `  ${badge(p.severity)}  ${p.url}  ${p.process ?? p.server ?? ''}${p.pid !== null ? ` (pid ${p.pid})` : ''}, ${p.exposure}`,
      `        ${tlsCell(p)}`,
      ...(p.tls ? [`        certificate ${p.tls.subject ?? '?'}, issuer ${p.tls.issuer ?? '?'}; names ${p.tls.san.join(', ') || 'none'}`] : []),
      `        upstream: ${p.upstream.detail}`,
      `        forged X-Forwarded-For: ${p.forgedHeader.detail}`,
      ...p.notes.map((n) => `        note: ${n}`),
    ])),
    `  trusted proxies: ${g.trustedProxies.join(', ') || 'none'}; forged header sent directly${report.forwarded.direct.source ? ` from ${report.forwarded.direct.source}` : ''}: ${report.forwarded.direct.detail}`,
    '',
    heading('Remote paths'),
    ...(report.remote.length === 0 ? ['  none found'] : report.remote.map((r) => `  ${badge(r.severity)}  ${r.kind.padEnd(18)} ${r.detail}${r.toGateway ? '' : ' (not to the gateway)'}`)),
    `  gateway.tailscale.mode: ${g.tailscaleMode}`,
    ...report.unavailable.map((u) => `  not checked: ${u}`),
    '',
    heading('Findings'),
    ...formatFindings(report.findings),
  ];
  return `${lines.join('\n')}\n`;
}
