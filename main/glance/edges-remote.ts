import { viewRemedy, type Finding, type Listener, type ProxyEdge, type RemotePath } from '../contract.ts';
import { keepaliveOk, KEEPALIVE, type ReverseTunnel } from './edges-ssh.ts';
import { targetsPort, type TailscaleState } from './edges-tailscale.ts';
import { programName, type ProcessInfo } from './process-tree.ts';

/** Remote Login is sshd (on macOS launchd holds port 22 for it); a loopback-only one is reached through another path. */
export function sshdPaths(listeners: Listener[]): RemotePath[] {
  const sshd = listeners.filter((l) => programName(l.process) === 'sshd' || (l.port === 22 && l.process === 'launchd'));
  const byPid = new Map<number, Listener[]>();
  for (const l of sshd) byPid.set(l.pid, [...(byPid.get(l.pid) ?? []), l]);
  return [...byPid.values()].map((items) => {
    const remote = items.some((l) => l.exposure !== 'loopback');
    const where = items.map((l) => `${l.address}:${l.port}`).join(', ');
    return { kind: 'sshd', detail: `Remote Login (${items[0]!.process}, pid ${items[0]!.pid}) on ${where}${remote ? ': ssh -L reaches the gateway' : ' (loopback only)'}`, toGateway: remote, pid: items[0]!.pid, severity: 'ok' };
  });
}

/** Secrets in a tunnel's command line (cloudflared --token, ngrok --authtoken) are never shown. */
export const scrubArgs = (command: string) => command.replace(/(--?(?:token|authtoken|auth|credentials?-file|cred-file)[= ])\S+/gi, '$1[redacted]').slice(0, 200);

export function tunnelProcessPaths(processes: ProcessInfo[], gatewayPort: number): RemotePath[] {
  return processes.filter((p) => ['cloudflared', 'ngrok'].includes(programName(p.command))).map((p) => {
    const kind = programName(p.command) as 'cloudflared' | 'ngrok';
    const toGateway = new RegExp(`(localhost|127\\.0\\.0\\.1|\\[::1\\])?:${gatewayPort}\\b|\\s${gatewayPort}(\\s|$)`).test(p.command);
    return { kind, detail: `${scrubArgs(p.command)} (pid ${p.pid})${toGateway ? '' : ' (its target is in its config file)'}`, toGateway, pid: p.pid, severity: 'warn' };
  });
}

export function tailscalePaths(state: TailscaleState, gatewayPort: number, mode: string, authMode: string): { paths: RemotePath[]; findings: Finding[] } {
  const paths: RemotePath[] = [];
  const findings: Finding[] = [];
  for (const route of state.routes.filter((r) => targetsPort(r.target, gatewayPort))) {
    const kind = route.funnel ? 'tailscale-funnel' : 'tailscale-serve';
    const severity = route.funnel ? (authMode === 'password' && mode === 'funnel' ? 'warn' : 'critical') : mode === 'serve' ? 'ok' : 'warn';
    paths.push({ kind, detail: `${route.front} → ${route.target}${route.funnel ? ' (Funnel: public internet)' : ' (tailnet only)'}`, toGateway: true, pid: null, severity });
    if (route.funnel) {
      findings.push({
        id: 'edges.tailscale-funnel', severity,
        title: `Tailscale Funnel publishes the gateway to the internet: ${route.front} → ${route.target}`,
        detail: mode === 'funnel' ? 'gateway.tailscale.mode is funnel; OpenClaw requires password auth for it.' : `gateway.tailscale.mode is ${mode}: this Funnel was set up outside OpenClaw and bypasses its managed ingress.`,
        fix: 'tailscale funnel --https=443 off (or gateway.tailscale.mode funnel with password auth)',
        remedy: viewRemedy('listeners', 'tailscale funnel status'),
      });
    } else if (mode !== 'serve') {
      findings.push({
        id: 'edges.tailscale-serve-unmanaged', severity: 'warn',
        title: `Tailscale Serve forwards to the gateway (${route.front}) but gateway.tailscale.mode is ${mode}`,
        detail: 'A Serve route OpenClaw does not manage reaches the ordinary listener: it needs gateway.trustedProxies and a header-rebuilding route, or gateway.tailscale.mode serve.',
        fix: 'openclaw config set gateway.tailscale.mode serve, or tailscale serve reset',
        remedy: viewRemedy('listeners', 'tailscale serve status'),
      });
    }
  }
  if (mode !== 'off' && state.available && !state.error && paths.length === 0) {
    findings.push({ id: 'edges.tailscale-mode-idle', severity: 'warn', title: `gateway.tailscale.mode is ${mode} but no Tailscale ${mode === 'funnel' ? 'Funnel' : 'Serve'} route reaches port ${gatewayPort}`, fix: 'Restart the gateway so it registers its route; tailscale serve status', remedy: viewRemedy('listeners', 'tailscale serve status') });
  }
  return { paths, findings };
}

export function tunnelPaths(tunnels: ReverseTunnel[], gatewayPort: number): { paths: RemotePath[]; findings: Finding[] } {
  const paths: RemotePath[] = [];
  const findings: Finding[] = [];
  for (const t of tunnels) {
    const toGateway = t.forwards.some((f) => f.port === gatewayPort && /^(localhost|127\.|::1)/.test(f.host));
    const alive = keepaliveOk(t.keepalive);
    const k = t.keepalive;
    paths.push({ kind: 'ssh-reverse-tunnel', detail: `ssh -R ${t.forwards.map((f) => f.spec).join(', ')} to ${t.destination} (pid ${t.pid}); keepalive ${k.interval ?? '?'} s × ${k.countMax ?? '?'} (${k.source})`, toGateway, pid: t.pid, severity: alive ? 'ok' : 'warn' });
    if (!alive) {
      findings.push({
        id: 'edges.tunnel-keepalive', severity: 'warn',
        title: `Reverse tunnel to ${t.destination} (pid ${t.pid}) has ${k.interval ? `keepalive ${k.interval} s × ${k.countMax}` : 'no keepalive'}: a silently dropped path stays dead`,
        detail: `The runbook: ServerAliveInterval ${KEEPALIVE.interval} and ServerAliveCountMax ${KEEPALIVE.countMax} drop a dead session within two minutes (hotel and captive-portal paths).`,
        fix: `ssh -o ServerAliveInterval=${KEEPALIVE.interval} -o ServerAliveCountMax=${KEEPALIVE.countMax} …, or the same two lines for that Host in ~/.ssh/config`,
        remedy: viewRemedy('listeners', `ssh -G ${t.destination} | grep -i serveralive`),
      });
    }
  }
  return { paths, findings };
}

/** An edge reachable beyond this Mac is itself a remote path. */
export function edgePaths(proxies: ProxyEdge[]): RemotePath[] {
  return proxies.filter((p) => p.exposure !== 'loopback').map((p) => ({ kind: 'edge', detail: `${p.url} (${p.process ?? p.server ?? 'edge'})`, toGateway: true, pid: p.pid, severity: 'ok' }));
}

/** The runbook's split-brain: more than one way in means nobody knows which one owns authentication. */
export function splitBrain(paths: RemotePath[]): Finding[] {
  const toGateway = paths.filter((p) => p.toGateway);
  if (toGateway.length < 2) return [];
  return [{
    id: 'edges.split-brain', severity: 'warn',
    title: `Split-brain edge: ${toGateway.length} remote paths reach the gateway (${[...new Set(toGateway.map((p) => p.kind))].join(', ')})`,
    detail: `${toGateway.map((p) => p.detail).join('; ')}. Say which one is authoritative and remove the others.`,
    fix: 'Choose one remote edge (ssh -L for break-glass, or Tailscale Serve), document it, and remove the competing ones',
    remedy: viewRemedy('listeners', 'clawbar edges'),
  }];
}
