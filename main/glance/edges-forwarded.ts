import { BlockList, isIP } from 'node:net';
import type { EdgesReport, ProxyEdge } from '../contract.ts';
import { edgeGet } from './edges-http.ts';
import type { FoundEdge } from './edges-proxy.ts';

/**
 * Forwarded-header trust, tested live. OpenClaw believes X-Forwarded-For
 * only from `gateway.trustedProxies`; from anyone else a forwarded request
 * gets 403 `proxy_attribution_required`. Through a trusted edge, a client's
 * forged header must be overwritten, or it becomes the client's identity.
 */

/** A documentation address (RFC 5737): never a real client, so finding it believed proves the forgery went through. */
export const FORGED_CLIENT = '203.0.113.66';
const ATTRIBUTION_REFUSED = 'proxy_attribution_required';
const TIMEOUT_MS = 1_500;

/** Whether an address is covered by trustedProxies (addresses and CIDR ranges, IPv4-mapped IPv6 folded). */
export function isTrusted(address: string, trusted: string[]): boolean {
  const plain = address.replace(/^::ffff:/, '');
  const family = isIP(plain);
  if (!family) return false;
  const list = new BlockList();
  for (const entry of trusted) {
    const [base, bits] = entry.trim().replace(/^::ffff:/, '').split('/');
    const entryFamily = isIP(base ?? '');
    if (!entryFamily) continue;
    const type = entryFamily === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(base!, type);
    else if (/^\d+$/.test(bits)) list.addSubnet(base!, Number(bits), type);
  }
  return list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
}

/** Local addresses to send the negative test from, in order; 127.0.0.2 works on Linux (all of 127/8 is local), on macOS only with an lo0 alias. */
const LOCAL_SOURCES = ['127.0.0.1', '::1', '127.0.0.2'];

const refusedBody = (body: string) => body.includes(ATTRIBUTION_REFUSED);

/**
 * The direct negative test: a forged X-Forwarded-For sent to the gateway
 * from a local source that is not a trusted proxy must be refused.
 */
export async function directForgedTest(gateway: { host: string; port: number }, trusted: string[]): Promise<EdgesReport['forwarded']['direct']> {
  const v6Gateway = gateway.host.includes(':');
  const sources = LOCAL_SOURCES.filter((s) => s.includes(':') === v6Gateway && !isTrusted(s, trusted));
  if (sources.length === 0) return { source: null, status: null, refused: null, detail: 'every local source address is a trusted proxy, so no untrusted source is left to test from' };
  for (const source of sources) {
    try {
      const response = await edgeGet({ host: gateway.host, port: gateway.port, tls: false, path: '/readyz', localAddress: source, timeoutMs: TIMEOUT_MS, headers: { 'x-forwarded-for': FORGED_CLIENT } });
      const refused = response.status === 403 && refusedBody(response.body);
      return { source, status: response.status, refused, detail: refused ? `refused: 403 ${ATTRIBUTION_REFUSED}` : `accepted with HTTP ${response.status}: the gateway believed a forged X-Forwarded-For from ${source}` };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A source address this Mac cannot bind (127.0.0.2 without an alias) is skipped for the next.
      if (code === 'EADDRNOTAVAIL' || code === 'EINVAL') continue;
      return { source, status: null, refused: null, detail: `could not ask the gateway: ${(error as Error).message}` };
    }
  }
  return { source: null, status: null, refused: null, detail: 'no untrusted local source address could be bound' };
}

/**
 * Through one edge: a forged X-Forwarded-For on /readyz. A trusted edge that
 * passes it on makes the gateway answer as if the forged address were the
 * client (200); one that rebuilds the header from the real (loopback) client
 * is refused (403), as is an edge the gateway does not trust at all.
 */
export async function edgeForgedTest(edge: FoundEdge): Promise<ProxyEdge['forgedHeader']> {
  try {
    const response = await edgeGet({
      host: edge.host, port: edge.port, tls: edge.tls !== null, path: '/readyz', serverName: edge.serverName, timeoutMs: TIMEOUT_MS,
      headers: { 'x-forwarded-for': FORGED_CLIENT, 'x-real-ip': FORGED_CLIENT, forwarded: `for=${FORGED_CLIENT}` },
    });
    if (response.status === 403 && refusedBody(response.body)) return { status: 403, reachedGateway: false, detail: `the gateway refused it (403 ${ATTRIBUTION_REFUSED})` };
    if (response.status === 200 || response.status === 503) return { status: response.status, reachedGateway: true, detail: `the gateway answered ${response.status} as to a client at ${FORGED_CLIENT}: the forged header became the client's identity` };
    return { status: response.status, reachedGateway: null, detail: `HTTP ${response.status} from the edge` };
  } catch (error) {
    return { status: null, reachedGateway: null, detail: `no answer through the edge: ${(error as Error).message}` };
  }
}

/** Where an edge's upstream connection comes from: the gateway's own listeners say which addresses it can use. */
export function upstreamOf(gatewayAddresses: string[]): ProxyEdge['upstream'] {
  if (gatewayAddresses.length === 0) return { loopback: null, detail: 'the gateway port has no listener to compare with' };
  const beyond = gatewayAddresses.filter((a) => !(a === '::1' || a.startsWith('127.')));
  return beyond.length === 0
    ? { loopback: true, detail: `the gateway listens on ${gatewayAddresses.join(' and ')} only, so the edge reaches it over loopback` }
    : { loopback: false, detail: `the gateway also listens on ${beyond.join(', ')}: the edge may use it, and clients can bypass the edge` };
}
