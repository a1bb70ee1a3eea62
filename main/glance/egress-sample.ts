import { promises as dns } from 'node:dns';
import type { EnvReport } from '../contract.ts';
import type { Executor } from '../system/exec.ts';
import { attribute, outboundSockets, parseProcessTable, parseSockets, processTree, type NameBook, type Sample } from './egress.ts';

/**
 * The side of `egress observe` that touches the system: which processes are
 * the gateway, their sockets (one `lsof` per sample, through the one
 * executor, bounded in time and bytes) and the names of remote addresses,
 * resolved with the system resolver (getaddrinfo, as Node in the daemon
 * resolves: hosts file and scoped resolvers included).
 */

const LSOF_TIMEOUT_MS = 5_000;
const LSOF_MAX_BYTES = 4 * 1024 * 1024;
const LOOKUP_TIMEOUT_MS = 3_000;
/** Names resolved per observation: bounded so a huge allowlist cannot stall a sample. */
const MAX_NAMES = 200;
/**
 * Reverse lookups started per hour: a scanner in the tree cannot make a
 * sample wait on thousands of them, and an address past the budget is named
 * in the next hour. A name is asked again after the hour (addresses are
 * re-pointed), so a sampler that lives as long as the watcher keeps naming.
 */
export const REVERSE_LOOKUPS_PER_WINDOW = 64;
export const REVERSE_TTL_MS = 3_600_000;
/** Names kept: twice the hour's lookups, so only names already older than the hour make room. */
const MAX_REVERSE_NAMES = 2 * REVERSE_LOOKUPS_PER_WINDOW;

const withTimeout = <T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> =>
  Promise.race([promise.catch(() => fallback), new Promise<T>((resolve) => { setTimeout(() => resolve(fallback), ms).unref(); })]);

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch (error) { return (error as NodeJS.ErrnoException).code === 'EPERM'; } };

/** The gateway's own pid: launchd's answer while that process lives (a long observation outlives restarts), else whoever listens on its port. */
export async function gatewayRoots(exec: Executor, facts: EnvReport): Promise<number[]> {
  if (facts.launchd.pid && alive(facts.launchd.pid)) return [facts.launchd.pid];
  const port = facts.gateway.port;
  const result = await exec('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], { timeoutMs: LSOF_TIMEOUT_MS, maxBytes: 64 * 1024 });
  return [...new Set(result.stdout.split('\n').map((l) => Number(l.trim())).filter((n) => Number.isInteger(n) && n > 1))];
}

/** The roots and their descendants now (the gateway's workers and spawned helpers connect too). */
export async function gatewayTree(exec: Executor, roots: number[]): Promise<number[]> {
  if (roots.length === 0) return [];
  const ps = await exec('ps', ['-A', '-o', 'pid=,ppid='], { timeoutMs: LSOF_TIMEOUT_MS, maxBytes: LSOF_MAX_BYTES });
  return ps.code === 0 ? processTree(roots, parseProcessTable(ps.stdout)) : roots;
}

/** One `lsof` of the tree's TCP sockets; null when lsof cannot run (not installed, no permission). */
export async function treeSockets(exec: Executor, pids: number[]) {
  if (pids.length === 0) return [];
  const result = await exec('lsof', ['-nP', '-a', '-p', pids.join(','), '-iTCP', '-F', 'pcnT'], { timeoutMs: LSOF_TIMEOUT_MS, maxBytes: LSOF_MAX_BYTES });
  // lsof exits 1 when the processes simply have no TCP sockets.
  if (!result.available || (result.code !== 0 && result.code !== 1) || result.timedOut) return null;
  return parseSockets(result.stdout);
}

export interface HostPort { host: string; port: number }

/** `address|port` → the hosts that resolve to that address with that port, as getaddrinfo answers. */
async function resolveAll(endpoints: HostPort[]): Promise<Map<string, string[]>> {
  const byKey = new Map<string, string[]>();
  const hosts = [...new Set(endpoints.map((e) => e.host.toLowerCase().replace(/^\[|\]$/g, '')))].slice(0, MAX_NAMES);
  const answers = new Map(await Promise.all(hosts.map(async (host) => [host, await withTimeout(dns.lookup(host, { all: true }), LOOKUP_TIMEOUT_MS, [])] as const)));
  for (const { host, port } of endpoints) {
    const name = host.toLowerCase().replace(/^\[|\]$/g, '');
    for (const { address } of answers.get(name) ?? []) {
      const key = `${address.toLowerCase()}|${port}`;
      byKey.set(key, [...new Set([...(byKey.get(key) ?? []), name])]);
    }
  }
  return byKey;
}

/** The names an observation attributes with: allowlist rows, the config's hosts, and each proxy, by address and port. */
export async function buildNameBook(allowlist: HostPort[], config: HostPort[], proxyUrls: string[]): Promise<NameBook> {
  const parsed = proxyUrls.flatMap((raw) => { try { const url = new URL(raw); return [{ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) }]; } catch { return []; } });
  const [listed, configured, proxyAddresses] = await Promise.all([resolveAll(allowlist), resolveAll(config), resolveAll(parsed)]);
  const proxies = new Map([...proxyAddresses].map(([key, names]) => [key, `${names[0]}:${key.slice(key.lastIndexOf('|') + 1)}`]));
  return { allowlist: listed, config: configured, proxies };
}

type Lookup = (address: string, port: number) => Promise<string | null>;

const systemReverse: Lookup = (address, port) => dns.lookupService(address, port).then(({ hostname }) => (hostname && hostname !== address ? hostname : null));

/** Reverse names, cached across samples for an hour each, with at most REVERSE_LOOKUPS_PER_WINDOW lookups an hour. */
export function reverseNamer(options: { now?: () => number; lookup?: Lookup } = {}): (address: string, port: number) => Promise<string | null> {
  const now = options.now ?? Date.now;
  const lookup = options.lookup ?? systemReverse;
  const cache = new Map<string, { name: Promise<string | null>; at: number }>();
  let window = { start: -Infinity, used: 0 };
  return (address, port) => {
    const at = now();
    const known = cache.get(address);
    if (known && at - known.at < REVERSE_TTL_MS) return known.name;
    if (at - window.start >= REVERSE_TTL_MS) window = { start: at, used: 0 };
    // Over the budget: the old name if there is one, else none until the next hour.
    if (window.used >= REVERSE_LOOKUPS_PER_WINDOW) return known?.name ?? Promise.resolve(null);
    window.used++;
    const name = withTimeout(lookup(address, port), LOOKUP_TIMEOUT_MS, null);
    cache.delete(address);
    cache.set(address, { name, at });
    for (const oldest of cache.keys()) {
      if (cache.size <= MAX_REVERSE_NAMES) break;
      cache.delete(oldest);
    }
    return name;
  };
}

/** One sample: the tree now, its outbound connections and a name for each. */
export async function takeSample(exec: Executor, roots: number[], book: NameBook, reverse: ReturnType<typeof reverseNamer>, now: () => Date): Promise<{ sample: Sample; pids: number[] } | null> {
  const pids = await gatewayTree(exec, roots);
  const sockets = await treeSockets(exec, pids);
  if (sockets === null) return null;
  const connections = await Promise.all(outboundSockets(sockets).map(async (s) => {
    const known = attribute(s.remote, book, null);
    const named = known.attribution === 'unknown' ? attribute(s.remote, book, await reverse(s.remote.address, s.remote.port)) : known;
    return { local: s.local, remote: { address: s.remote.address.toLowerCase(), port: s.remote.port }, ...named };
  }));
  return { sample: { at: now(), connections }, pids };
}
