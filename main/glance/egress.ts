import type { Attribution, EgressDestination, EgressObservations } from '../contract.ts';
import { splitName, unescapeLsof } from './lsof.ts';

/**
 * Pure parts of `clawbar egress observe`: the gateway's process tree from
 * `ps`, its TCP sockets from `lsof -F pcnT`, which of them are outbound, the
 * name each remote address gets, and the kept counts. Every parser is
 * bounded, so hostile or huge output cannot exhaust memory.
 */

const MAX_LINES = 200_000;
/** Past this many destinations the least recently seen are dropped: a scanner in the tree cannot grow the store without bound. */
export const MAX_DESTINATIONS = 500;
/** A process tree deeper or wider than this is not a gateway; stop walking. */
const MAX_TREE = 256;

export interface Endpoint { address: string; port: number }
export interface Socket { pid: number; command: string; local: Endpoint; remote: Endpoint | null; state: string }

/** `ps -A -o pid=,ppid=` → child pids per parent. */
export function parseProcessTable(text: string): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const line of text.split('\n').slice(0, MAX_LINES)) {
    const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
    if (!match) continue;
    const [pid, ppid] = [Number(match[1]), Number(match[2])];
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  return children;
}

/** The roots and every descendant, breadth first, bounded. */
export function processTree(roots: number[], children: Map<number, number[]>): number[] {
  const seen = new Set<number>();
  const queue = [...roots];
  while (queue.length > 0 && seen.size < MAX_TREE) {
    const pid = queue.shift()!;
    if (seen.has(pid) || pid <= 1) continue;
    seen.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return [...seen];
}

/** `lsof -nP -a -p PIDS -iTCP -F pcnT` → every TCP socket with its state. */
export function parseSockets(text: string): Socket[] {
  const out: Socket[] = [];
  let pid = 0;
  let command = '';
  let name: string | null = null;
  let state = '';
  const flush = () => {
    if (name !== null && pid > 0) {
      const [localText, remoteText] = name.split('->');
      const local = splitName(localText!);
      const remote = remoteText ? splitName(remoteText) : null;
      if (local) out.push({ pid, command, local, remote, state });
    }
    name = null;
    state = '';
  };
  for (const line of text.split('\n').slice(0, MAX_LINES)) {
    const tag = line[0];
    const value = line.slice(1);
    if (tag === 'p') { flush(); pid = Number(value); command = ''; }
    else if (tag === 'c') command = unescapeLsof(value);
    else if (tag === 'f') flush();
    // One name per socket; lsof prints no `f` line unless asked, so a name also ends the socket before it.
    else if (tag === 'n') { flush(); name = value; }
    else if (tag === 'T' && value.startsWith('ST=')) state = value.slice(3);
  }
  flush();
  return out;
}

/**
 * Established connections the tree opened: not an accepted client of one of
 * its own listeners (local port listening), and not to one of its own
 * listeners (the gateway talking to its browser-control service).
 */
export function outboundSockets(sockets: Socket[]): Array<Socket & { remote: Endpoint }> {
  const listening = sockets.filter((s) => s.state === 'LISTEN');
  const listenPorts = new Set(listening.map((s) => s.local.port));
  const ownListener = (remote: Endpoint) => listening.some((l) => l.local.port === remote.port
    && (l.local.address === remote.address || (isLoopback(remote.address) && (l.local.address === '*' || isLoopback(l.local.address)))));
  return sockets.filter((s): s is Socket & { remote: Endpoint } =>
    s.state === 'ESTABLISHED' && s.remote !== null && !listenPorts.has(s.local.port) && !ownListener(s.remote));
}

export const isLoopback = (address: string) => /^127\./.test(address) || address === '::1' || address === '::ffff:127.0.0.1';

/** What the names of the allowlist and the config resolve to, and where the proxies are. */
export interface NameBook {
  /** `address|port` → the names that resolve there with that port, per source (a host's other ports are other services). */
  allowlist: Map<string, string[]>;
  config: Map<string, string[]>;
  /** `address|port` of each proxy the daemon uses → its host:port. */
  proxies: Map<string, string>;
}

export function attribute(remote: Endpoint, book: NameBook, reverse: string | null): { names: string[]; attribution: Attribution } {
  const address = remote.address.toLowerCase().replace(/^::ffff:(?=\d+\.)/, '');
  const proxy = book.proxies.get(`${address}|${remote.port}`);
  if (proxy) return { names: [proxy], attribution: 'proxy' };
  const listed = book.allowlist.get(`${address}|${remote.port}`) ?? [];
  const configured = book.config.get(`${address}|${remote.port}`) ?? [];
  const names = [...new Set([...listed, ...configured])];
  if (listed.length) return { names, attribution: 'allowlist' };
  if (configured.length) return { names, attribution: 'config' };
  return reverse ? { names: [reverse], attribution: 'reverse' } : { names: [], attribution: 'unknown' };
}

export interface Sample {
  at: Date;
  connections: Array<{ local: Endpoint; remote: Endpoint; names: string[]; attribution: Attribution }>;
}

export const emptyObservations = (): EgressObservations => ({ schema: 'clawbar.egress/1', since: null, until: null, samples: 0, destinations: [] });

/**
 * Adds one sample to the kept counts. `previous` holds the sockets of the
 * sample before (local|remote), so a long-lived connection counts once;
 * returns the new set for the next call. Entries older than `retainMs` go.
 */
export function mergeSample(kept: EgressObservations, sample: Sample, previous: Set<string>, retainMs: number): { kept: EgressObservations; sockets: Set<string> } {
  const at = sample.at.toISOString();
  const horizon = sample.at.getTime() - retainMs;
  const byKey = new Map(kept.destinations.filter((d) => Date.parse(d.lastSeen) >= horizon).map((d) => [`${d.address}|${d.port}`, { ...d }]));
  const sockets = new Set<string>();
  const touched = new Set<string>();
  for (const c of sample.connections) {
    const dest = `${c.remote.address}|${c.remote.port}`;
    const socket = `${c.local.address}|${c.local.port}|${dest}`;
    sockets.add(socket);
    const entry: EgressDestination = byKey.get(dest) ?? { address: c.remote.address, port: c.remote.port, names: [], attribution: 'unknown', connections: 0, samples: 0, firstSeen: at, lastSeen: at };
    entry.names = c.names;
    entry.attribution = c.attribution;
    entry.lastSeen = at;
    if (!previous.has(socket)) entry.connections++;
    if (!touched.has(dest)) entry.samples++;
    touched.add(dest);
    byKey.set(dest, entry);
  }
  const destinations = [...byKey.values()].sort((a, b) => b.lastSeen.localeCompare(a.lastSeen)).slice(0, MAX_DESTINATIONS);
  const oldest = destinations.reduce<string | null>((min, d) => (min === null || d.firstSeen < min ? d.firstSeen : min), null);
  const since = kept.since && Date.parse(kept.since) >= horizon ? kept.since : oldest ?? at;
  return { kept: { schema: 'clawbar.egress/1', since, until: at, samples: kept.samples + 1, destinations }, sockets };
}
