import { Resolver } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, Peer } from './peer.ts';

export interface DnsRecord {
  name: string;
  a?: string[];
  aaaa?: string[];
}

export interface RunningDnsmasq {
  port: number;
  address: '127.0.0.1';
  /** `127.0.0.1:port`, the form `Resolver.setServers` takes. */
  server: string;
  logPath: string;
  readLog(): Promise<string>;
  stop(): Promise<void>;
  peer: Peer;
}

/** A Resolver pointed only at this server, failing fast rather than retrying. */
export function resolverFor(server: string, timeoutMs = 1_000): Resolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  resolver.setServers([server]);
  return resolver;
}

/**
 * Starts dnsmasq in the foreground as an authoritative-looking DNS server on a
 * high UDP/TCP port of 127.0.0.1. It has no upstream (`--no-resolv`, and
 * `-C /dev/null` skips /etc/dnsmasq.conf), so it never forwards a query
 * anywhere: names under `localDomain` it does not know get NXDOMAIN, and
 * other names get REFUSED. Each record's name is made local too, so its
 * subdomains are NXDOMAIN and its missing family is NODATA wherever it lives.
 *
 * A name that has only an A record answers an AAAA query with NOERROR and
 * no answers (NODATA), which node:dns reports as ENODATA; an unknown name
 * under `localDomain` is NXDOMAIN, reported as ENOTFOUND.
 */
export async function startDnsmasq(options: { dir: string; records: DnsRecord[]; localDomain?: string }): Promise<RunningDnsmasq> {
  const { dir, records } = options;
  const localDomain = options.localDomain ?? 'test';
  const port = await freePort();
  const logPath = join(dir, 'dnsmasq.log');
  const args = [
    '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--no-poll',
    '--listen-address=127.0.0.1', '--bind-interfaces', `--port=${port}`,
    `--local=/${localDomain}/`, '--log-queries', `--log-facility=${logPath}`, `--pid-file=${join(dir, 'dnsmasq.pid')}`,
  ];
  // As root dnsmasq drops to "dnsmasq"/"nobody"; staying root keeps it working where those users are missing.
  if (process.getuid?.() === 0) args.push('--user=root', '--group=root');
  for (const record of records) {
    if (!/^[\w.-]+$/.test(record.name)) throw new Error(`not a DNS name: ${record.name}`);
    // host-record takes one address per family, so a name with several gets several lines.
    for (const address of [...(record.a ?? []), ...(record.aaaa ?? [])]) args.push(`--host-record=${record.name},${address}`);
    // Without an upstream, a missing family outside localDomain would be REFUSED rather than NODATA.
    const name = record.name.toLowerCase();
    if (name !== localDomain && !name.endsWith(`.${localDomain}`)) args.push(`--local=/${name}/`);
  }
  const peer = new Peer({ name: 'dnsmasq', command: 'dnsmasq', args, cwd: dir });
  await peer.start();
  const server = `127.0.0.1:${port}`;
  const resolver = resolverFor(server, 500);
  // Any NXDOMAIN proves dnsmasq reads its config and answers on the port.
  await peer.ready(() => resolver.resolve4(`ready-probe.${localDomain}`).then(() => true, (error: NodeJS.ErrnoException) => error.code === 'ENOTFOUND'), 10_000);
  return {
    port,
    address: '127.0.0.1',
    server,
    logPath,
    readLog: () => readFile(logPath, 'utf8').catch(() => ''),
    stop: () => peer.stop(),
    peer,
  };
}
