import { sortBySeverity, worstSeverity, type EdgesReport, type EnvReport, type Finding, type Listener, type ProxyEdge } from '../contract.ts';
import type { Executor } from '../system/exec.ts';
import { loadEdgeConfig } from './edges-config.ts';
import { directFindings, proxyFindings, proxyNotes, trustFindings } from './edges-findings.ts';
import { directForgedTest, edgeForgedTest, upstreamOf } from './edges-forwarded.ts';
import { edgeCandidates, findEdges, givenEdge, uptimeThrough, type FoundEdge } from './edges-proxy.ts';
import { edgePaths, splitBrain, sshdPaths, tailscalePaths, tunnelPaths, tunnelProcessPaths } from './edges-remote.ts';
import { reverseTunnels } from './edges-ssh.ts';
import { readTailscale } from './edges-tailscale.ts';
import { mdnsFindings, mdnsState, treeFindings, treeListeners } from './edges-tree.ts';
import { assessListener } from './exposure.ts';
import { readListeners } from './listeners.ts';
import { findGatewayPid, isGatewayProcess, readProcesses } from './process-tree.ts';

/** Two uptimes read a moment apart through different paths still agree within this. */
const SAME_GATEWAY_SLACK_MS = 5_000;

export interface EdgesOptions {
  exec: Executor;
  platform: NodeJS.Platform;
  /** The service as `clawbar env` sees it: gateway port, auth, trusted proxies, config path, launchd's pid. */
  service: Pick<EnvReport, 'gateway' | 'launchd'>;
  /** The daemon's effective environment (OPENCLAW_DISABLE_BONJOUR). */
  env: Record<string, string>;
  /** The listener scan when the caller already has one (status); else lsof runs here. */
  listeners?: Listener[];
  /** `--edge URL`: edges that run elsewhere. */
  given?: string[];
  now?: Date;
}

/**
 * Every way into the gateway: its process tree's listeners, Bonjour, reverse
 * proxies on this Mac (and given ones) with TLS and forwarded-header tests,
 * and the remote paths. Asks, never changes anything; what cannot be asked
 * is listed in `unavailable`.
 */
export async function inspectEdges(options: EdgesOptions): Promise<EdgesReport> {
  const { exec, service } = options;
  const gw = service.gateway;
  const now = options.now ?? new Date();
  const unavailable: string[] = [];
  const scan = async (): Promise<Listener[]> => {
    if (options.listeners) return options.listeners;
    const { raw, error } = await readListeners(exec);
    if (error) unavailable.push(`listeners: ${error}`);
    return raw.map((l) => assessListener(l, { gatewayPort: gw.port, authMode: gw.authMode, exceptions: [] }));
  };
  const [listeners, ps, config, tailscale] = await Promise.all([scan(), readProcesses(exec), loadEdgeConfig(gw.configPath), readTailscale(exec, options.platform)]);
  if (ps.error) unavailable.push(`processes: ${ps.error}`);
  if (tailscale.error) unavailable.push(`tailscale: ${tailscale.error}`);

  const gatewayListeners = listeners.filter((l) => l.port === gw.port);
  const { pid, source } = findGatewayPid(ps.processes, { launchdPid: service.launchd.pid, portHolders: gatewayListeners.map((l) => l.pid) });
  const tree = treeListeners(listeners, ps.processes, pid, gw.port, config);
  const mdns = mdnsState(config, options.env, options.platform);

  // Gateways (this one's tree and any other) answer /health themselves: they are not edges.
  const notEdges = new Set([...tree.map((t) => t.pid), ...gatewayListeners.map((l) => l.pid), ...ps.processes.filter((p) => isGatewayProcess(p.command)).map((p) => p.pid)]);
  const { found, late } = await findEdges(edgeCandidates(listeners, notEdges), now);
  unavailable.push(...late);
  for (const url of options.given ?? []) {
    const edge = await givenEdge(url, now);
    if ('error' in edge) unavailable.push(`edge ${url}: ${edge.error}`);
    else found.push(edge);
  }
  const dialHost = gatewayListeners.some((l) => l.address === '127.0.0.1' || l.address === '*' || l.address === '0.0.0.0') ? '127.0.0.1' : gatewayListeners.some((l) => l.address === '::1' || l.address === '::') ? '::1' : null;
  const ownUptime = dialHost ? await uptimeThrough(dialHost, gw.port, false) : null;
  const mine = await Promise.all(found.map(async (f) => {
    if (ownUptime === null) return true;
    const seen = await uptimeThrough(f.host, f.port, f.tls !== null, f.serverName);
    return seen === null || Math.abs(seen - ownUptime) < SAME_GATEWAY_SLACK_MS;
  }));
  for (let i = found.length - 1; i >= 0; i--) if (!mine[i]) found.splice(i, 1);
  const upstream = upstreamOf([...new Set(gatewayListeners.map((l) => l.address))]);
  const proxyReports: Array<{ edge: ProxyEdge; findings: Finding[] }> = await Promise.all(found.map(async (f) => {
    const { host: _host, serverName, ...rest } = f;
    const base: ProxyEdge = { ...rest, upstream: f.source === 'given' ? { loopback: null, detail: 'an edge elsewhere: its upstream is not visible from here' } : upstream, forgedHeader: await edgeForgedTest(f), notes: [], severity: 'ok' };
    const findings = proxyFindings(base, gw.trustedProxies, serverName);
    return { edge: { ...base, notes: proxyNotes(base), severity: worstSeverity(findings) }, findings };
  }));
  const proxies = proxyReports.map((p) => p.edge);

  const direct = dialHost
    ? await directForgedTest({ host: dialHost, port: gw.port }, gw.trustedProxies)
    : { source: null, status: null, refused: null, detail: 'nothing listens on the gateway port on loopback' };

  const tunnels = await reverseTunnels(ps.processes, exec);
  const ts = tailscalePaths(tailscale, gw.port, config.tailscaleMode, gw.authMode);
  const tn = tunnelPaths(tunnels, gw.port);
  const remote = [...sshdPaths(listeners), ...ts.paths, ...tunnelProcessPaths(ps.processes, gw.port), ...tn.paths, ...edgePaths(proxies)];

  const findings = sortBySeverity([
    ...treeFindings(tree), ...mdnsFindings(mdns), ...proxyReports.flatMap((p) => p.findings), ...trustFindings(gw.trustedProxies, proxies),
    ...directFindings(direct), ...ts.findings, ...tn.findings, ...splitBrain(remote),
  ]);
  return {
    schema: 'clawbar.edges/1',
    overall: worstSeverity(findings),
    gateway: { port: gw.port, pid, pidSource: source, trustedProxies: gw.trustedProxies, tailscaleMode: config.tailscaleMode },
    tree, mdns, proxies, forwarded: { direct }, remote, unavailable, findings,
  };
}
