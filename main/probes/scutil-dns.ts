import type { Executor } from '../system/exec.ts';

/** One resolver block of `scutil --dns`. */
export interface ScutilResolver {
  nameservers: string[];
  searchDomains: string[];
  /** Set for supplemental resolvers that answer only for this domain (VPN split DNS, `local` for mDNS). */
  domain: string | null;
  interface: string | null;
  mdns: boolean;
}

/** `scutil --dns` prints a few KB; anything past this is not real output and is not read. */
export const MAX_SCUTIL_BYTES = 1024 * 1024;
const MAX_LINES = 10_000;
const SCOPED = 'DNS configuration (for scoped queries)';

/**
 * Splits `  key[0] : value` into its key (index dropped) and value. Done with
 * indexOf rather than one regular expression because a pattern whose key and
 * padding both match spaces backtracks cubically on a long line of blanks.
 */
function keyValue(line: string): { key: string; value: string } | null {
  if (line[0] !== ' ' && line[0] !== '\t') return null;
  const colon = line.indexOf(':');
  if (colon < 0) return null;
  let key = line.slice(0, colon).trim();
  const bracket = key.lastIndexOf('[');
  if (bracket >= 0 && key.endsWith(']') && /^\d+$/.test(key.slice(bracket + 1, -1))) key = key.slice(0, bracket).trimEnd();
  if (!key || !/^[a-z_ ]+$/.test(key)) return null;
  return { key, value: line.slice(colon + 1).trim() };
}

/** The interface name in `if_index : 14 (utun8)`. */
function interfaceName(value: string): string | null {
  const open = value.indexOf('(');
  const close = open < 0 ? -1 : value.indexOf(')', open + 1);
  return close > open + 1 ? value.slice(open + 1, close) : null;
}

/**
 * Parses the unscoped part of `scutil --dns` (the resolvers getaddrinfo uses),
 * old and new layouts alike; the "for scoped queries" section is ignored.
 * Linear in the input, which is cut at MAX_SCUTIL_BYTES and MAX_LINES.
 */
export function parseScutilDns(text: string): ScutilResolver[] {
  const bounded = text.length > MAX_SCUTIL_BYTES ? text.slice(0, MAX_SCUTIL_BYTES) : text;
  const scoped = bounded.startsWith(SCOPED) ? 0 : bounded.indexOf(`\n${SCOPED}`);
  const unscoped = scoped < 0 ? bounded : bounded.slice(0, scoped);
  const resolvers: ScutilResolver[] = [];
  let current: ScutilResolver | null = null;
  for (const line of unscoped.split('\n', MAX_LINES)) {
    if (/^resolver #\d/.test(line.trim())) {
      current = { nameservers: [], searchDomains: [], domain: null, interface: null, mdns: false };
      resolvers.push(current);
      continue;
    }
    const pair = current && keyValue(line);
    if (!pair || !current) continue;
    const { key, value } = pair;
    if (key === 'nameserver') current.nameservers.push(value);
    else if (key === 'search domain') current.searchDomains.push(value);
    else if (key === 'domain') current.domain = value.toLowerCase();
    else if (key === 'if_index') current.interface = interfaceName(value);
    else if (key === 'options' && value.includes('mdns')) current.mdns = true;
  }
  return resolvers;
}

/** The nameservers a lookup of `host` can reach: general resolvers plus supplemental ones whose domain matches. */
export function nameserversFor(host: string, resolvers: ScutilResolver[]): string[] {
  const name = host.toLowerCase();
  const servers = resolvers
    .filter((r) => !r.mdns && (r.domain === null || name === r.domain || name.endsWith(`.${r.domain}`)))
    .flatMap((r) => r.nameservers);
  return [...new Set(servers)];
}

/** Reads the system resolvers on macOS; empty where scutil does not exist. */
export async function systemResolvers(exec: Executor): Promise<ScutilResolver[]> {
  const result = await exec('scutil', ['--dns'], { timeoutMs: 3_000, maxBytes: 1024 * 1024 });
  return result.available && result.code === 0 ? parseScutilDns(result.stdout) : [];
}

/** A list read this recently is used as it is; older (up to MAX_AGE_MS) it is used once more while it is read again. */
const FRESH_MS = 30_000;
const MAX_AGE_MS = 10 * 60_000;
const readings = new WeakMap<Executor, { at: number; resolvers: Promise<ScutilResolver[]> }>();

/**
 * The resolvers for a probe run, without making each run wait for scutil
 * (4–40 ms before the first lookup): a process's first run reads them; a run
 * after it uses the list the last reading gave (at most ten minutes old) and
 * starts the next reading. `fresh` reads them now (a wake, a new service).
 */
export function resolversForRun(exec: Executor, fresh = false): Promise<ScutilResolver[]> {
  const now = Date.now();
  const last = readings.get(exec);
  if (!fresh && last && now - last.at < FRESH_MS) return last.resolvers;
  const reading = systemResolvers(exec);
  readings.set(exec, { at: now, resolvers: reading });
  reading.catch(() => { if (readings.get(exec)?.resolvers === reading) readings.delete(exec); });
  return !fresh && last && now - last.at < MAX_AGE_MS ? last.resolvers.catch(() => reading) : reading;
}
