import { connect } from 'node:net';
import type { EnvReport, Listener, ProbeReport } from '../contract.ts';
import { queryLaunchctl } from '../service/launchctl.ts';
import type { Executor } from '../system/exec.ts';
import type { DownFacts } from './down-verdict.ts';
import { edgeGet, isGatewayHealth } from './edges-http.ts';
import { classifyAddress } from './exposure.ts';
import { readPower, sleepEvidence } from './power.ts';
import { descendants, findGatewayPid, isGatewayProcess, readProcesses } from './process-tree.ts';

export interface DownFactOptions {
  exec: Executor;
  service: Pick<EnvReport, 'gateway' | 'launchd' | 'service'>;
  listeners: Listener[];
  /** The daemon's last probe run: LAN failures only the daemon sees. */
  lastProbe: ProbeReport | null;
}

/** How long a listening gateway gets to answer /health before it counts as wedged. */
export const WEDGED_AFTER_MS = 1_000;

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1_000 });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/**
 * The daemon could not route to a LAN address (EHOSTUNREACH) that this
 * process — the operator's world — reaches: macOS Local Network privacy
 * blocking the daemon's node, which never asked for the permission.
 */
export async function localNetworkBlock(lastProbe: ProbeReport | null): Promise<string | null> {
  if (!lastProbe || lastProbe.environment.source !== 'daemon') return null;
  for (const r of lastProbe.results.filter((x) => x.error?.code === 'EHOSTUNREACH').slice(0, 5)) {
    let url: URL;
    try { url = new URL(r.target); } catch { continue; }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const network = classifyAddress(host).network;
    if (network !== 'lan' && network !== 'link-local' && network !== 'lan (ULA)') continue;
    const port = Number(url.port || (/^(https|wss):$/.test(url.protocol) ? 443 : 80));
    if (await reachable(host, port)) {
      return `The daemon gets EHOSTUNREACH to ${host}:${port} on the LAN while this shell reaches it: macOS Local Network privacy blocks the daemon's node (${lastProbe.runtime.execPath})`;
    }
  }
  return null;
}

/** Everything the verdict weighs, asked fresh: launchd, the processes, the port's holders, a 1 s /health, pmset, the LAN. */
export async function gatherDownFacts(options: DownFactOptions): Promise<DownFacts> {
  const { exec, service } = options;
  const port = service.gateway.port;
  const target = service.launchd.target;
  const [live, ps, power, lan] = await Promise.all([
    target ? queryLaunchctl(exec, target) : Promise.resolve(null),
    readProcesses(exec),
    readPower(exec),
    localNetworkBlock(options.lastProbe),
  ]);
  const job = live?.status === 'loaded' ? live.job : null;
  const onPort = options.listeners.filter((l) => l.port === port);
  const launchdPid = job?.pid ?? null;
  const tree = launchdPid !== null ? descendants(ps.processes, launchdPid) : null;
  const found = findGatewayPid(ps.processes, { launchdPid, portHolders: tree ? [] : onPort.map((l) => l.pid) });
  const gatewayProc = found.pid !== null ? ps.processes.find((p) => p.pid === found.pid) ?? null : null;
  const commandOf = (pid: number) => ps.processes.find((p) => p.pid === pid)?.command ?? '';
  const seen = new Set<number>();
  const holders = onPort.filter((l) => !seen.has(l.pid) && seen.add(l.pid)).map((l) => ({
    pid: l.pid, process: l.process, command: commandOf(l.pid), address: l.address,
    // A loaded job owns only its own tree (none while it is not running); without launchd's word, whoever holds the port is taken as the gateway itself.
    ours: job ? tree?.has(l.pid) ?? false : true,
    isGateway: isGatewayProcess(commandOf(l.pid)) || /^openclaw/.test(l.process),
  }));
  let health: DownFacts['health'] = null;
  if (holders.length > 0) {
    const host = onPort.some((l) => l.address === '::1') && !onPort.some((l) => l.address !== '::1') ? '::1' : '127.0.0.1';
    const started = performance.now();
    try {
      const response = await edgeGet({ host, port, tls: false, path: '/health', timeoutMs: WEDGED_AFTER_MS });
      health = { answered: isGatewayHealth(response), detail: `HTTP ${response.status} in ${Math.round(performance.now() - started)} ms` };
    } catch (error) {
      health = { answered: false, detail: (error as Error).message };
    }
  }
  return {
    port,
    launchd: {
      status: live?.status ?? 'unavailable', target, plistPath: service.service?.plistPath ?? null,
      state: job?.state ?? null, jobState: job?.jobState ?? null, pid: launchdPid, lastExitCode: job?.lastExitCode ?? null,
      lastExitReason: job?.lastExitReason ?? null, lastSignal: job?.lastSignal ?? null, runs: job?.runs ?? null,
      message: live && live.status !== 'loaded' ? live.message : null,
    },
    gateway: gatewayProc ? { pid: gatewayProc.pid, cpu: gatewayProc.cpu, stat: gatewayProc.stat, command: gatewayProc.command } : null,
    holders, health,
    sleep: sleepEvidence(power.settings),
    localNetwork: lan,
    logPath: service.service?.stderrPath ?? service.service?.stdoutPath ?? null,
  };
}
