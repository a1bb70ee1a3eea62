import { isIP } from 'node:net';
import { connect, type DetailedPeerCertificate, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { TlsDetails } from '../contract.ts';
import { between, ProbeFailure, remaining, type Prober } from './state.ts';

const DAY_MS = 86_400_000;

function name(part: PeerCertificate['subject'] | undefined): string | null {
  if (!part) return null;
  const cn = Array.isArray(part.CN) ? part.CN[0] : part.CN;
  const org = Array.isArray(part.O) ? part.O[0] : part.O;
  return cn ?? org ?? null;
}

/** The certificate facts worth showing, kept even when verification failed. */
export function certificateDetails(socket: TLSSocket, servername: string | null, now = Date.now()): TlsDetails {
  const cert = socket.getPeerCertificate(true) as DetailedPeerCertificate;
  const has = cert && Object.keys(cert).length > 0;
  const validTo = has && cert.valid_to ? new Date(cert.valid_to) : null;
  const validFrom = has && cert.valid_from ? new Date(cert.valid_from) : null;
  // The top of the chain the server sent tells "issued by Corp Inspection CA" apart from a public CA.
  let top: DetailedPeerCertificate | null = has ? cert : null;
  for (let depth = 0; top?.issuerCertificate && top.issuerCertificate !== top && depth < 10; depth++) top = top.issuerCertificate;
  const issuer = has ? name(cert.issuer) : null;
  const root = top && top !== cert ? name(top.issuer) : null;
  return {
    protocol: socket.getProtocol() ?? null,
    cipher: socket.getCipher()?.name ?? null,
    subject: has ? name(cert.subject) : null,
    issuer: issuer && root && root !== issuer ? `${issuer} (chain to ${root})` : issuer,
    san: has && cert.subjectaltname ? cert.subjectaltname.split(/,\s*/) : [],
    validFrom: validFrom?.toISOString() ?? null,
    validTo: validTo?.toISOString() ?? null,
    daysToExpiry: validTo ? Math.floor((validTo.getTime() - now) / DAY_MS) : null,
    authorized: socket.authorized,
    authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
    servername,
  };
}

/**
 * TLS over the connected socket (direct or through the proxy tunnel) with SNI
 * set to the target's host — also when the address was pinned — and the
 * runtime's own trust store: NODE_EXTRA_CA_CERTS and NODE_USE_SYSTEM_CA act
 * because this runs in a child started with the environment under test.
 * Details are recorded before the verdict, so a failed check still shows who
 * issued the certificate.
 */
export const probeTls: Prober = async (state) => {
  state.progress('tls');
  const servername = state.target.sni ?? (isIP(state.host) ? null : state.host);
  // From the end of TCP (or of the CONNECT answer), as curl's appconnect − connect: context set-up is part of TLS there too.
  const started = state.phaseEnd ?? performance.now();
  let handshaken = started;
  const socket = await new Promise<TLSSocket>((resolve, reject) => {
    const secure = connect({
      socket: state.socket!,
      host: state.host,
      servername: servername ?? undefined,
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(new ProbeFailure('tls', 'ETIMEDOUT', `TLS handshake did not complete within the time left`));
    }, remaining(state));
    secure.once('secureConnect', () => { handshaken = performance.now(); clearTimeout(timer); resolve(secure); });
    secure.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new ProbeFailure('tls', error.code ?? 'ERR_TLS', `TLS handshake failed: ${error.message.split('\n')[0]}`));
    });
  });
  state.result.phases.tlsMs = between(started, handshaken);
  state.phaseEnd = handshaken;
  state.result.tls = certificateDetails(socket, servername);
  state.socket = socket;
  if (!socket.authorized) {
    const code = String(socket.authorizationError ?? 'UNAUTHORIZED');
    socket.destroy();
    throw new ProbeFailure('tls', code, `certificate not accepted: ${code}`);
  }
};
