import { readFile } from 'node:fs/promises';
import { arch, hostname, release, type, uptime, userInfo } from 'node:os';
import type { NodeFacts } from '../contract.ts';
import type { Executor } from '../system/exec.ts';
import packageJson from '../../package.json' with { type: 'json' };

export const CLAWBAR_VERSION: string = packageJson.version;

/** `sw_vers` prints `ProductName:\tmacOS` / `ProductVersion:\t15.1` / `BuildVersion:\t24B83`. */
export function parseSwVers(text: string): { name: string | null; version: string | null; build: string | null } {
  const field = (key: string) => new RegExp(`^${key}:\\s*(.+?)\\s*$`, 'm').exec(text)?.[1] ?? null;
  return { name: field('ProductName'), version: field('ProductVersion'), build: field('BuildVersion') };
}

/** PRETTY_NAME from /etc/os-release, for the same report off macOS. */
export function parseOsRelease(text: string): string | null {
  const match = /^PRETTY_NAME=(?:"([^"]*)"|'([^']*)'|(.*))$/m.exec(text);
  return match ? (match[1] ?? match[2] ?? match[3] ?? '').trim() || null : null;
}

/** The machine a report comes from: OS and version (sw_vers through the executor on macOS), hostname, uptime. */
export async function nodeFacts(exec: Executor, platform: NodeJS.Platform): Promise<NodeFacts> {
  let osName = type();
  let osVersion: string | null = null;
  let osBuild: string | null = null;
  if (platform === 'darwin') {
    const sw = await exec('sw_vers', [], { timeoutMs: 3_000, maxBytes: 4096 });
    const parsed = sw.code === 0 ? parseSwVers(sw.stdout) : null;
    osName = parsed?.name ?? 'macOS';
    osVersion = parsed?.version ?? null;
    osBuild = parsed?.build ?? null;
  } else {
    osName = parseOsRelease(await readFile('/etc/os-release', 'utf8').catch(() => '')) ?? osName;
  }
  // The zone matters in a clock ticket: an "off by hours" clock is often a zone, not skew. (Pure JS in systeminformation.)
  const { default: si } = await import('systeminformation');
  const time = si.time();
  let user: string | null = null;
  try { user = userInfo().username; } catch { /* no passwd entry for this uid */ }
  return {
    hostname: hostname(), platform, osName, osVersion, osBuild, kernel: `${type()} ${release()}`, arch: arch(),
    uptimeSec: Math.round(uptime()), timezone: time.timezoneName ? `${time.timezoneName} (${time.timezone})` : time.timezone, user, clawbarVersion: CLAWBAR_VERSION, nodeVersion: process.version,
  };
}
