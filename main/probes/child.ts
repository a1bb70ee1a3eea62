/**
 * The probe child: started by runner.ts with the environment under test as
 * its whole environment and, when possible, the daemon's own node binary — so
 * proxy variables, NODE_EXTRA_CA_CERTS and NODE_USE_SYSTEM_CA act exactly as
 * in the gateway. Reads one ChildRequest on stdin, writes newline-delimited
 * ChildMessage JSON on stdout. It warms its code paths up while it waits for
 * the request, so a child started ahead of time (the app's) has that done
 * before anyone asks, and a fresh one (the CLI's) still times no cold path.
 */
import type { ChildMessage, ChildRequest } from '../contract.ts';
import { redactUrl } from '../system/redact.ts';
import { probeAll } from './target.ts';
import { warmUp } from './warm-up.ts';

/**
 * The request's shape, checked without zod (loading it would cost the child
 * ~40 ms before its first probe): the parent validated the request against
 * ChildRequest before writing it, and validates every result that comes back.
 */
function asRequest(value: unknown): ChildRequest {
  const r = value as Partial<ChildRequest> | null;
  const strings = (list: unknown) => Array.isArray(list) && list.every((item) => typeof item === 'string');
  if (!r || typeof r !== 'object' || !Array.isArray(r.targets) || !r.targets.every((t) => t && typeof t.url === 'string')
    || !strings(r.dnsServers) || typeof r.compareResolvers !== 'object' || r.compareResolvers === null
    || !Object.values(r.compareResolvers).every(strings) || !Number.isInteger(r.timeoutMs) || r.timeoutMs! <= 0
    || (r.managedProxy !== null && typeof r.managedProxy?.url !== 'string')) throw new Error('the probe request is not one this child understands');
  return r as ChildRequest;
}

const send = (message: ChildMessage) => process.stdout.write(`${JSON.stringify(message)}\n`);

async function readStdin(limit = 4 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('request too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// Hello once warm: a child kept ready is then known to have nothing left to pay for.
const warmed = warmUp().then(() => send({ type: 'hello', execPath: process.execPath, nodeVersion: process.version, openssl: process.versions.openssl ?? 'unknown' }));
const request = asRequest(JSON.parse(await readStdin()));
await warmed;
await probeAll(request.targets, {
  env: process.env,
  managedProxy: request.managedProxy,
  dnsServers: request.dnsServers,
  compareResolvers: request.compareResolvers,
  timeoutMs: request.timeoutMs,
  progress: (target, phase) => send({ type: 'progress', target, phase }),
}, (result) => send({ type: 'result', result: { ...result, route: { ...result.route, proxy: result.route.proxy && redactUrl(result.route.proxy) } } }));
// Exit once 'done' is flushed: comparison queries or sockets still closing must not hold the run open.
process.stdout.write(`${JSON.stringify({ type: 'done' } satisfies ChildMessage)}\n`, () => process.exit(0));
