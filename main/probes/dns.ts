import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { z } from 'zod';
import type { DnsAnswer } from '../contract.ts';
import { elapsed, ProbeFailure, remaining, withTimeout, type Prober } from './state.ts';

type Answer = z.infer<typeof DnsAnswer>;

const RCODES: Record<string, Answer['rcode']> = {
  ENOTFOUND: 'NXDOMAIN', ENODATA: 'NODATA', ESERVFAIL: 'SERVFAIL', EREFUSED: 'REFUSED', ETIMEOUT: 'TIMEOUT', ECONNREFUSED: 'TIMEOUT',
};

const rcodeOf = (error: unknown): Answer['rcode'] => RCODES[(error as NodeJS.ErrnoException).code ?? ''] ?? 'ERROR';

/** Splits `ADDR[:PORT]` / `[v6]:PORT` into the form dns.Resolver#setServers takes. */
export function resolverAddress(server: string): string {
  if (isIP(server) === 6 || /^\[.+\](:\d+)?$/.test(server) || isIP(server) === 4 || /^\d+\.\d+\.\d+\.\d+:\d+$/.test(server)) return server;
  throw new Error(`not a resolver address: ${server}`);
}

/** A direct A + AAAA query to one resolver, with its answer code. */
export async function queryResolver(server: string, host: string, timeoutMs: number): Promise<Answer> {
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  resolver.setServers([resolverAddress(server)]);
  const started = performance.now();
  const [a, aaaa] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
  const ms = elapsed(started);
  const list = (r: PromiseSettledResult<string[]>) => (r.status === 'fulfilled' ? r.value : []);
  const codes = [a, aaaa].map((r) => (r.status === 'fulfilled' ? 'NOERROR' : rcodeOf(r.reason)));
  let rcode: Answer['rcode'] = 'NOERROR';
  if (codes.includes('NXDOMAIN')) rcode = 'NXDOMAIN';
  else if (list(a).length + list(aaaa).length > 0) rcode = 'NOERROR';
  else if (codes.every((c) => c === 'NODATA')) rcode = 'NODATA';
  else rcode = codes.find((c) => c !== 'NOERROR' && c !== 'NODATA') ?? 'NODATA';
  return { server, a: list(a), aaaa: list(aaaa), rcode, ms };
}

function describeDisagreement(system: string[] | null, answers: Answer[]): string | null {
  const sets = answers.filter((a) => a.rcode === 'NOERROR').map((a) => [...a.a, ...a.aaaa].sort().join(','));
  const codes = new Set(answers.map((a) => a.rcode));
  if (codes.has('NXDOMAIN') && codes.has('NOERROR')) return 'some resolvers say the name does not exist (NXDOMAIN) while others answer';
  if (new Set(sets).size > 1) return 'resolvers return different addresses';
  if (system && sets[0] !== undefined && system.slice().sort().join(',') !== sets[0]) return 'the system resolver returns different addresses than the direct query';
  return null;
}

/**
 * Resolves the target the way the daemon would: the system resolver
 * (getaddrinfo: hosts file, search domains, mDNS), or the resolvers given with
 * --dns-server; plus a direct query to each configured resolver to tell
 * NXDOMAIN from SERVFAIL from a timeout and to spot disagreement. Skipped when
 * the route is a proxy (the proxy resolves) or an address is pinned.
 */
export const probeDns: Prober = async (state) => {
  const { host } = state;
  if (state.target.pin) {
    state.addresses = state.target.pin.split(',').map((address) => ({ address: address.replace(/^\[|\]$/g, ''), family: isIP(address.replace(/^\[|\]$/g, '')) === 6 ? 6 : 4 }));
    state.result.notes.push(`address pinned to ${state.target.pin} (like curl --resolve); DNS not used`);
    return;
  }
  if (isIP(host)) {
    state.addresses = [{ address: host, family: isIP(host) as 4 | 6 }];
    return;
  }
  state.progress('dns');
  const started = performance.now();
  const budget = Math.min(remaining(state), 5_000);
  const servers = state.dnsServers.length > 0 ? state.dnsServers : state.compareResolvers;
  // The comparison queries run beside the system lookup, so dnsMs is the lookup alone (curl's time_namelookup).
  const answers = Promise.all(servers.map((server) => queryResolver(server, host, budget).catch(() => null))).then((all) => all.filter((a): a is Answer => a !== null));
  let system: string[] | null = null;
  let direct: Answer[];
  // With --dns-server the probe resolves through those servers only (like curl --dns-servers).
  if (state.dnsServers.length === 0) {
    try {
      const found = await withTimeout('dns', budget, () => dns.lookup(host, { all: true, order: 'verbatim' }));
      state.result.phases.dnsMs = elapsed(started);
      system = found.map((entry) => entry.address);
      state.addresses = found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
      direct = await answers;
    } catch (error) {
      state.result.phases.dnsMs ??= elapsed(started);
      if (error instanceof ProbeFailure) throw new ProbeFailure('dns', 'EAI_AGAIN', `the system resolver did not answer for ${host} within ${budget} ms`);
      const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
      throw new ProbeFailure('dns', code, `the system resolver could not resolve ${host} (${code})`);
    }
  } else {
    direct = await answers;
    const answered = direct.find((a) => a.rcode === 'NOERROR');
    state.result.dns = { system: [], resolvers: direct, disagreement: describeDisagreement(null, direct) };
    if (!answered) {
      state.result.phases.dnsMs = elapsed(started);
      const first = direct[0]!;
      throw new ProbeFailure('dns', first.rcode, `${first.server} answered ${first.rcode} for ${host}`);
    }
    state.addresses = [...answered.aaaa.map((address) => ({ address, family: 6 as const })), ...answered.a.map((address) => ({ address, family: 4 as const }))];
    state.result.phases.dnsMs = elapsed(started);
  }
  if (system) state.result.dns = { system, resolvers: direct, disagreement: describeDisagreement(system, direct) };
  if (state.addresses.length === 0) throw new ProbeFailure('dns', 'ENODATA', `${host} has no A or AAAA records`);
};
