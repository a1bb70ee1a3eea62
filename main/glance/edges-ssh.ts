import type { Executor } from '../system/exec.ts';
import { programName, type ProcessInfo } from './process-tree.ts';

/**
 * Reverse SSH tunnels this Mac holds open (`ssh -R`, also under autossh) and
 * whether each keeps itself alive. The runbook's values: ServerAliveInterval
 * 30 and ServerAliveCountMax 4, so a dead path is noticed within two minutes.
 */
export const KEEPALIVE = { interval: 30, countMax: 4 } as const;

/** ssh options that take an argument (from ssh(1)); a clustered `-NfR spec` is split the same way ssh does. */
const WITH_ARGUMENT = new Set('BbcDEeFIiJLlmOoPpQRSWw'.split(''));

export interface SshCommand {
  remoteForwards: string[];
  options: Record<string, string>;
  /** -F, -p, -l and -o as given, to ask `ssh -G` for the same effective config. */
  configArgs: string[];
  destination: string | null;
}

/** Splits an ssh command line (as ps shows it: words, no quoting left) into what matters here. */
export function parseSshCommand(command: string): SshCommand {
  const words = command.trim().split(/\s+/).slice(1);
  const result: SshCommand = { remoteForwards: [], options: {}, configArgs: [], destination: null };
  for (let i = 0; i < words.length && result.destination === null; i++) {
    const word = words[i]!;
    if (!word.startsWith('-') || word === '-') { result.destination = word; break; }
    for (let c = 1; c < word.length; c++) {
      const flag = word[c]!;
      if (!WITH_ARGUMENT.has(flag)) continue;
      const value = c + 1 < word.length ? word.slice(c + 1) : words[++i] ?? '';
      if (flag === 'R') result.remoteForwards.push(value);
      if (flag === 'o') {
        const [key, ...rest] = value.split('=');
        result.options[key!.toLowerCase()] = rest.join('=');
      }
      if ('Fplo'.includes(flag)) result.configArgs.push(`-${flag}`, value);
      break;
    }
  }
  return result;
}

/** The local target of a `-R` spec (`[bind:]port:host:hostport`), or null for a dynamic or socket forward. */
export function forwardTarget(spec: string): { host: string; port: number } | null {
  const parts = spec.match(/\[[^\]]*\]|[^:]+/g) ?? [];
  if (parts.length < 3) return null;
  const port = Number(parts[parts.length - 1]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host: parts[parts.length - 2]!.replace(/^\[|\]$/g, ''), port };
}

/** Reads `ServerAliveInterval`/`ServerAliveCountMax` from `ssh -G` output (lower-case keys). */
export function parseSshG(text: string): { interval: number | null; countMax: number | null } {
  const value = (key: string) => {
    const match = new RegExp(`^${key}\\s+(\\d+)\\s*$`, 'm').exec(text);
    return match ? Number(match[1]) : null;
  };
  return { interval: value('serveraliveinterval'), countMax: value('serveralivecountmax') };
}

export interface ReverseTunnel {
  pid: number;
  destination: string;
  forwards: Array<{ spec: string; host: string; port: number }>;
  keepalive: { interval: number | null; countMax: number | null; source: 'command line' | 'ssh -G' | 'unknown' };
}

const isSsh = (p: ProcessInfo) => ['ssh', 'autossh'].includes(programName(p.command));

/** Every ssh process with a `-R`, and its effective keepalive (command line first, then `ssh -G` for the config files). */
export async function reverseTunnels(processes: ProcessInfo[], exec: Executor): Promise<ReverseTunnel[]> {
  const tunnels = processes.filter(isSsh).map((p) => ({ p, ssh: parseSshCommand(p.command) })).filter((t) => t.ssh.remoteForwards.length > 0).slice(0, 20);
  return Promise.all(tunnels.map(async ({ p, ssh }) => {
    const forwards = ssh.remoteForwards.map((spec) => ({ spec, ...forwardTarget(spec) })).filter((f): f is { spec: string; host: string; port: number } => f.port !== undefined);
    const given = { interval: ssh.options.serveraliveinterval, countMax: ssh.options.serveralivecountmax };
    let keepalive: ReverseTunnel['keepalive'] = { interval: null, countMax: null, source: 'unknown' };
    if (given.interval !== undefined && given.countMax !== undefined) keepalive = { interval: Number(given.interval), countMax: Number(given.countMax), source: 'command line' };
    else if (ssh.destination) {
      const result = await exec('ssh', ['-G', ...ssh.configArgs, ssh.destination], { timeoutMs: 3_000, maxBytes: 256 * 1024 });
      if (result.code === 0) {
        const read = parseSshG(result.stdout);
        keepalive = { interval: given.interval !== undefined ? Number(given.interval) : read.interval, countMax: given.countMax !== undefined ? Number(given.countMax) : read.countMax, source: 'ssh -G' };
      }
    }
    return { pid: p.pid, destination: ssh.destination ?? '?', forwards, keepalive };
  }));
}

/** Whether a tunnel notices a dead path as fast as the runbook asks (interval × count within 2 minutes, keepalive on). */
export function keepaliveOk(k: ReverseTunnel['keepalive']): boolean {
  return k.interval !== null && k.countMax !== null && k.interval > 0 && k.interval * k.countMax <= KEEPALIVE.interval * KEEPALIVE.countMax;
}
