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

/**
 * Parses the unscoped part of `scutil --dns` (the resolvers getaddrinfo uses),
 * old and new layouts alike; the "for scoped queries" section is ignored.
 */
export function parseScutilDns(text: string): ScutilResolver[] {
  const unscoped = text.split(/^DNS configuration \(for scoped queries\)/m)[0]!;
  const resolvers: ScutilResolver[] = [];
  let current: ScutilResolver | null = null;
  for (const line of unscoped.split('\n').slice(0, 10_000)) {
    if (/^resolver #\d+/.test(line.trim())) {
      current = { nameservers: [], searchDomains: [], domain: null, interface: null, mdns: false };
      resolvers.push(current);
      continue;
    }
    const match = /^\s+([a-z_ ]+?)(?:\[\d+\])?\s*:\s*(.*)$/.exec(line);
    if (!match || !current) continue;
    const [, key, value = ''] = match;
    if (key === 'nameserver') current.nameservers.push(value.trim());
    else if (key === 'search domain') current.searchDomains.push(value.trim());
    else if (key === 'domain') current.domain = value.trim().toLowerCase();
    else if (key === 'if_index') current.interface = /\(([^)]+)\)/.exec(value)?.[1] ?? null;
    else if (key === 'options' && /mdns/.test(value)) current.mdns = true;
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
