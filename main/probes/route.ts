/**
 * Decides direct vs proxy for one URL exactly as the gateway's runtime would:
 * OpenClaw's managed proxy (`proxy.proxyUrl`, else OPENCLAW_PROXY_URL) first —
 * loopback stays direct in its default `gateway-only` mode and env bypass lists
 * do not apply — otherwise undici's EnvHttpProxyAgent rules: lowercase
 * variables win, https falls back to the http proxy, and NO_PROXY matches
 * exact hosts, subdomains, optional ports and `*`, but no CIDR ranges.
 */

export interface ManagedProxy {
  url: string;
  loopbackMode: 'gateway-only' | 'proxy' | 'block';
}

export interface Route {
  via: 'direct' | 'proxy' | 'blocked';
  proxy: string | null;
  rule: string;
}

/** The port a URL without one uses, per scheme. */
export const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };

interface NoProxyEntry { hostname: string; port: number; wildcard: boolean; raw: string }

/** Parses NO_PROXY the way undici does (including its bracketed IPv6 handling). */
export function parseNoProxy(value: string): NoProxyEntry[] {
  const entries: NoProxyEntry[] = [];
  for (const raw of value.split(/[,\s]/)) {
    if (!raw) continue;
    let hostname: string;
    let port = 0;
    const v6 = /^\[(.+)\]:(\d+)$/.exec(raw);
    if (v6) {
      hostname = v6[1]!;
      port = Number.parseInt(v6[2]!, 10);
    } else {
      const unbracketed = raw.replace(/^\[(.+)\]$/, '$1');
      const parsed = (unbracketed.match(/:/g) ?? []).length === 1 ? /^(.+):(\d+)$/.exec(unbracketed) : null;
      hostname = parsed ? parsed[1]! : unbracketed;
      port = parsed ? Number.parseInt(parsed[2]!, 10) : 0;
    }
    entries.push({ hostname: hostname.replace(/^\*?\./, '').replace(/^(.+)\.$/, '$1').toLowerCase(), port, wildcard: raw.startsWith('*'), raw });
  }
  return entries;
}

/** The NO_PROXY entry that sends this host direct, if any. */
export function matchNoProxy(entries: NoProxyEntry[], hostname: string, port: number): NoProxyEntry | null {
  for (const entry of entries) {
    if (entry.port && entry.port !== port) continue;
    if (entry.hostname === '*') return entry;
    if (!entry.wildcard && hostname === entry.hostname) return entry;
    if (hostname.endsWith(`.${entry.hostname}`)) return entry;
  }
  return null;
}

export function normalisedHost(url: URL): string {
  let host = url.hostname.replace(/^\[(.+)\]$/, '$1').toLowerCase();
  if (host.length > 1 && host.endsWith('.')) host = host.slice(0, -1);
  return host;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1' || host === '0:0:0:0:0:0:0:1';
}

export function decideRoute(url: URL, env: Record<string, string | undefined>, managed: ManagedProxy | null): Route {
  const host = normalisedHost(url);
  const port = Number.parseInt(url.port, 10) || DEFAULT_PORTS[url.protocol] || 0;
  if (managed) {
    if (isLoopbackHost(host)) {
      if (managed.loopbackMode === 'gateway-only') return { via: 'direct', proxy: null, rule: 'OpenClaw managed proxy: loopback connects directly (proxy.loopbackMode gateway-only)' };
      if (managed.loopbackMode === 'block') return { via: 'blocked', proxy: null, rule: 'OpenClaw managed proxy: loopback is blocked (proxy.loopbackMode block)' };
    }
    return { via: 'proxy', proxy: managed.url, rule: 'OpenClaw managed proxy (proxy.proxyUrl / OPENCLAW_PROXY_URL)' };
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const httpName = env.http_proxy !== undefined ? 'http_proxy' : env.HTTP_PROXY !== undefined ? 'HTTP_PROXY' : null;
  const httpsName = env.https_proxy !== undefined ? 'https_proxy' : env.HTTPS_PROXY !== undefined ? 'HTTPS_PROXY' : null;
  const chosen = secure ? (httpsName && env[httpsName] ? httpsName : httpName) : httpName;
  const proxy = chosen ? env[chosen] : undefined;
  if (!chosen || !proxy) return { via: 'direct', proxy: null, rule: `no ${secure ? 'https_proxy/HTTPS_PROXY or http_proxy/HTTP_PROXY' : 'http_proxy/HTTP_PROXY'} set` };
  const noProxyName = env.no_proxy !== undefined ? 'no_proxy' : env.NO_PROXY !== undefined ? 'NO_PROXY' : null;
  const match = noProxyName ? matchNoProxy(parseNoProxy(env[noProxyName] ?? ''), host, port) : null;
  if (match) return { via: 'direct', proxy: null, rule: `${noProxyName} entry '${match.raw}' matches ${host}` };
  return { via: 'proxy', proxy, rule: `${chosen}${noProxyName ? ` (no ${noProxyName} entry matches ${host})` : ''}` };
}
