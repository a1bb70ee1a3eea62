import { describeFailure, type Executor } from '../system/exec.ts';

/**
 * The process table, from one `ps` run: enough to walk the gateway's tree
 * (which listener belongs to it), to name a port's holder, to see a stopped
 * or spinning gateway, and to find tunnels (ssh -R, cloudflared, ngrok).
 */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** %CPU as ps reports it (macOS: a decaying recent average). */
  cpu: number;
  /** ps STAT: `T` stopped, `Z` zombie, `R` running... */
  stat: string;
  command: string;
}

/** A busy Mac runs a few thousand processes; the cap keeps hostile output bounded. */
export const MAX_PROCESSES = 20_000;

/** Parses `ps -axo pid=,ppid=,pcpu=,stat=,command=` (no header). */
export function parsePs(text: string): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const line of text.split('\n', MAX_PROCESSES + 1)) {
    const match = /^\s*(\d+)\s+(\d+)\s+([\d.,]+)\s+(\S+)\s+(.*)$/.exec(line);
    if (!match) continue;
    out.push({ pid: Number(match[1]), ppid: Number(match[2]), cpu: Number(match[3]!.replace(',', '.')) || 0, stat: match[4]!, command: match[5]!.trim() });
  }
  return out;
}

export async function readProcesses(exec: Executor): Promise<{ processes: ProcessInfo[]; error: string | null }> {
  const result = await exec('ps', ['-axo', 'pid=,ppid=,pcpu=,stat=,command='], { timeoutMs: 5_000, maxBytes: 8 * 1024 * 1024 });
  if (!result.available || result.code !== 0) return { processes: [], error: describeFailure(result) };
  return { processes: parsePs(result.stdout), error: null };
}

/** The pids from `root` down, each with its lineage (root first); bounded and cycle-safe. */
export function descendants(processes: ProcessInfo[], root: number): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const p of processes) if (p.pid !== p.ppid) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const tree = new Map<number, number[]>([[root, [root]]]);
  const queue = [root];
  while (queue.length > 0 && tree.size < MAX_PROCESSES) {
    const pid = queue.shift()!;
    for (const child of children.get(pid) ?? []) {
      if (tree.has(child)) continue;
      tree.set(child, [...tree.get(pid)!, child]);
      queue.push(child);
    }
  }
  return tree;
}

/** The program's base name: `/opt/homebrew/bin/cloudflared tunnel run` → `cloudflared`. */
export function programName(command: string): string {
  const first = command.split(/\s+/)[0] ?? '';
  return first.slice(first.lastIndexOf('/') + 1);
}

/** An OpenClaw gateway process: its title (`openclaw-gateway`) or a node running openclaw with the `gateway` subcommand. */
export function isGatewayProcess(command: string): boolean {
  if (programName(command).startsWith('openclaw-gateway')) return true;
  return /openclaw/.test(command) && /(^|\s)gateway(\s|$)/.test(command);
}

/**
 * The gateway's pid: launchd's word for it when the job runs, else the
 * process holding the gateway port, else a single gateway process found by
 * its command line. Each answer says where it came from.
 */
export function findGatewayPid(processes: ProcessInfo[], hints: { launchdPid: number | null; portHolders: number[] }): { pid: number | null; source: string | null } {
  const alive = (pid: number | null) => pid !== null && processes.some((p) => p.pid === pid);
  if (alive(hints.launchdPid)) {
    // The wrapper execs node, so launchd's pid is the gateway; a wrapper that forked leaves it as a parent.
    return { pid: hints.launchdPid, source: 'launchd' };
  }
  const holder = hints.portHolders.find((pid) => alive(pid));
  if (holder !== undefined) return { pid: holder, source: 'port' };
  const gateways = processes.filter((p) => isGatewayProcess(p.command));
  return gateways.length === 1 ? { pid: gateways[0]!.pid, source: 'command line' } : { pid: null, source: null };
}
