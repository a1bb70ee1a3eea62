import { generateKeyPairSync, sign } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { ProbeTarget } from '../contract.ts';
import { probeAll } from './target.ts';

/*
 * A cold Node process pays once for what curl pays never or per run in C:
 * compiling each JavaScript function on its first call, loading the CA store
 * (Node's roots, NODE_EXTRA_CA_CERTS, the system store with NODE_USE_SYSTEM_CA),
 * compiling undici's HTTP parser (WebAssembly) and starting the resolver's
 * thread pool. Paid inside the first timed probe, that made its TLS and
 * first-byte times several times curl's. The child therefore walks every code
 * path once against a server of its own on loopback before any target is timed.
 */

const der = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
};
const sequence = (...parts: Buffer[]) => der(0x30, ...parts);
const ECDSA_SHA256 = sequence(Buffer.from('06082a8648ce3d040302', 'hex'));
const name = (cn: string) => sequence(der(0x31, sequence(Buffer.from('0603550403', 'hex'), der(0x0c, Buffer.from(cn)))));
const utcTime = (date: Date) => der(0x17, Buffer.from(`${date.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`));

/**
 * A self-signed P-256 certificate made in memory for the warm-up server: no
 * key is stored anywhere, and no client ever trusts it (the probe records the
 * verification failure, which is the code path worth warming).
 */
export function throwawayCertificate(now = new Date()): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const tbs = sequence(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, Buffer.from([1])),
    ECDSA_SHA256,
    name('clawbar warm-up'),
    sequence(utcTime(new Date(now.getTime() - 3_600_000)), utcTime(new Date(now.getTime() + 3_600_000))),
    name('clawbar warm-up'),
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const cert = sequence(tbs, ECDSA_SHA256, der(0x03, Buffer.from([0]), signature));
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cert: `-----BEGIN CERTIFICATE-----\n${cert.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n` };
}

const RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n';

const listen = (server: Server) => new Promise<number>((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
});

/**
 * Two loopback ports: one speaks TLS, the other plain HTTP (a short 200 to each
 * request) and CONNECT, tunnelling to the TLS port as a forward proxy would.
 */
async function startServers(): Promise<{ tlsPort: number; plainPort: number; close: () => void }> {
  const { key, cert } = throwawayCertificate();
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  };
  const answer = (socket: Socket) => socket.on('data', () => socket.write(RESPONSE));
  const tls = createTlsServer({ key, cert, ALPNProtocols: ['http/1.1'] }, answer);
  tls.on('connection', track);
  const tlsPort = await listen(tls);
  const plain = createServer((socket) => {
    track(socket);
    socket.once('data', (chunk: Buffer) => {
      if (!chunk.toString('latin1').startsWith('CONNECT ')) {
        socket.write(RESPONSE);
        answer(socket);
        return;
      }
      const upstream = connect(tlsPort, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
        socket.pipe(upstream).pipe(socket);
      });
      track(upstream);
    });
  });
  const plainPort = await listen(plain);
  return {
    tlsPort, plainPort,
    close: () => { tls.close(); plain.close(); for (const socket of sockets) socket.destroy(); },
  };
}

/**
 * Runs the probe code once against the warm-up servers — TLS direct and
 * through a CONNECT tunnel (ending at the untrusted certificate), plain HTTP,
 * a refused WebSocket upgrade and one system-resolver lookup — and throws
 * nothing: a failed warm-up only means the first timed probe pays for it.
 */
export async function warmUp(timeoutMs = 2_000): Promise<void> {
  let servers: Awaited<ReturnType<typeof startServers>> | null = null;
  try {
    servers = await startServers();
    const origin = `127.0.0.1:${servers.plainPort}`;
    const target = (url: string): ProbeTarget => ({ url, kind: 'custom', name: null, sni: null, pin: null });
    const options = { managedProxy: null, dnsServers: [], timeoutMs };
    await Promise.all([
      probeAll([target(`https://127.0.0.1:${servers.tlsPort}/`), target(`http://${origin}/`), target(`ws://${origin}/`), target(`http://localhost:${servers.plainPort}/`)], { ...options, env: {} }),
      probeAll([target('https://warm-up.invalid/')], { ...options, env: { https_proxy: `http://${origin}` } }),
    ]);
  } catch {
    // Nothing to report: see above.
  } finally {
    servers?.close();
  }
}
