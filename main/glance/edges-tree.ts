import { fixRemedy, viewRemedy, type EdgesReport, type Finding, type Listener, type TreeListener } from '../contract.ts';
import type { EdgeConfig } from './edges-config.ts';
import { descendants, type ProcessInfo } from './process-tree.ts';

/** OpenClaw's browser control service: loopback, gateway port + 2. */
export const BROWSER_CONTROL_OFFSET = 2;
/** Managed browser profiles take DevTools ports from gateway port + 11 (18800–18899 for 18789). */
export const CDP_RANGE = { from: 11, to: 110 } as const;

/** What a port held by the gateway's tree is, from OpenClaw's port layout. */
export function treeRole(port: number, gatewayPort: number, cdpPorts: number[]): TreeListener['role'] {
  if (port === gatewayPort) return 'gateway';
  if (port === gatewayPort + BROWSER_CONTROL_OFFSET) return 'browser-control';
  if (cdpPorts.includes(port) || (port >= gatewayPort + CDP_RANGE.from && port <= gatewayPort + CDP_RANGE.to)) return 'cdp';
  return 'other';
}

/**
 * The listeners of the gateway's whole process tree. A listener counts only
 * when its pid descends from the gateway's: a Chrome started by someone else
 * on 18800 is not the agent's browser, and is left to the listener scan.
 */
export function treeListeners(listeners: Listener[], processes: ProcessInfo[], gatewayPid: number | null, gatewayPort: number, config: EdgeConfig): TreeListener[] {
  if (gatewayPid === null) return [];
  const tree = descendants(processes, gatewayPid);
  return listeners.filter((l) => tree.has(l.pid)).map((l) => {
    const role = treeRole(l.port, gatewayPort, config.cdpPorts);
    const beyond = l.exposure !== 'loopback';
    const severity: TreeListener['severity'] = !beyond ? 'ok' : role === 'other' ? 'warn' : 'critical';
    return { role, address: l.address, port: l.port, exposure: l.exposure, process: l.process, pid: l.pid, lineage: tree.get(l.pid)!, severity };
  }).sort((a, b) => a.port - b.port || a.address.localeCompare(b.address));
}

const ROLE_WORDS: Record<TreeListener['role'], string> = {
  gateway: "the gateway's own port", 'browser-control': 'the browser control service', cdp: 'a Chrome DevTools (CDP) port', other: 'a port',
};

export function treeFindings(tree: TreeListener[]): Finding[] {
  const out: Finding[] = [];
  for (const item of tree.filter((t) => t.severity !== 'ok' && t.role !== 'gateway')) {
    const where = `${item.address}:${item.port}`;
    if (item.role === 'cdp') {
      out.push({
        id: 'edges.cdp-exposed', severity: 'critical',
        title: `${item.process} (pid ${item.pid}, in the gateway's process tree) serves Chrome DevTools on ${where}`,
        detail: 'Anyone who reaches a DevTools port controls the browser the agent drives: its sessions, cookies and pages (remote code execution in the browser).',
        fix: 'Keep DevTools on 127.0.0.1: remove remote-debugging-address/--remote-debugging-address=0.0.0.0 from the profile, then restart the gateway',
        remedy: viewRemedy('listeners', 'openclaw browser profiles'),
      });
    } else {
      out.push({
        id: item.role === 'browser-control' ? 'edges.browser-control-exposed' : 'edges.tree-listener-exposed',
        severity: item.severity,
        title: `${item.process} (pid ${item.pid}, in the gateway's process tree) listens on ${where}: ${ROLE_WORDS[item.role]} beyond loopback`,
        fix: item.role === 'browser-control' ? 'Put gateway.bind back on loopback: clawbar fix bind' : 'Bind it to 127.0.0.1, or document why it must be reachable',
        remedy: item.role === 'browser-control' ? fixRemedy('bind') : viewRemedy('listeners'),
      });
    }
  }
  return out;
}

const truthy = (value: string | undefined) => /^(1|true|yes|on)$/i.test(value?.trim() ?? '');
const falsy = (value: string | undefined) => /^(0|false|no|off)$/i.test(value?.trim() ?? '');

/** Bonjour as the daemon sees it: OPENCLAW_DISABLE_BONJOUR beats the config; it auto-starts on macOS. */
export function mdnsState(config: EdgeConfig, env: Record<string, string>, platform: NodeJS.Platform): EdgesReport['mdns'] {
  const flag = env.OPENCLAW_DISABLE_BONJOUR;
  if (truthy(flag)) return { mode: 'off', source: 'OPENCLAW_DISABLE_BONJOUR', advertising: false };
  const source = config.mdnsModeSet ? 'discovery.mdns.mode' : 'default';
  const advertising = config.mdnsMode !== 'off' && (platform === 'darwin' || falsy(flag));
  return { mode: config.mdnsMode, source, advertising };
}

export function mdnsFindings(mdns: EdgesReport['mdns']): Finding[] {
  if (mdns.mode !== 'full') return [];
  return [{
    id: 'edges.mdns-full', severity: 'warn',
    title: `Bonjour advertises the gateway in full mode${mdns.advertising ? '' : ' (when it runs on macOS)'}: the CLI path and SSH port go to everyone on the LAN`,
    detail: 'discovery.mdns.mode "full" adds cliPath and sshPort to the _openclaw-gw._tcp TXT record.',
    fix: 'openclaw config set discovery.mdns.mode minimal (or off; OPENCLAW_DISABLE_BONJOUR=1 in the service)',
    remedy: viewRemedy('environment', 'openclaw config set discovery.mdns.mode minimal'),
  }];
}
