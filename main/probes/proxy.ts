import { promises as dns } from 'node:dns';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readResponseHead } from './http-head.ts';
import { connectFamilies } from './tcp.ts';
import { between, ProbeFailure, remaining, type Prober } from './state.ts';

/** undici percent-decodes the user info and throws on a broken escape; the probe says so in words, in the proxy layer. */
function decodeProxyPart(text: string, part: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ProbeFailure('proxy', 'EPROXYURL', `the proxy URL's ${part} holds a broken percent escape (a % not followed by two hex digits), so the daemon cannot use this proxy; write a literal % as %25`);
  }
}

/** Proxy-Authorization for the user info in a proxy URL (percent-decoded, as undici does). */
export function proxyAuthorization(proxy: URL): string | null {
  if (!proxy.username && !proxy.password) return null;
  const user = decodeProxyPart(proxy.username, 'user name');
  const pass = decodeProxyPart(proxy.password, 'password');
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

/**
 * Opens a CONNECT tunnel through the explicit proxy, as undici's ProxyAgent
 * does for every request: TCP (and TLS for an https:// proxy) to the proxy,
 * then `CONNECT host:port`. The target is not resolved locally. The CONNECT
 * answer and its time are recorded as their own phase.
 */
export const probeProxy: Prober = async (state) => {
  const proxyUrl = new URL(state.route.proxy!);
  if (proxyUrl.protocol !== 'http:' && proxyUrl.protocol !== 'https:') {
    throw new ProbeFailure('proxy', 'EPROXYSCHEME', `proxy URL scheme ${proxyUrl.protocol} is not supported by the gateway's runtime (http: or https: only)`);
  }
  const proxyHost = proxyUrl.hostname.replace(/^\[|\]$/g, '');
  const proxyPort = Number(proxyUrl.port) || (proxyUrl.protocol === 'https:' ? 443 : 80);
  state.progress('connect');
  let addresses: Array<{ address: string; family: 4 | 6 }>;
  if (isIP(proxyHost)) addresses = [{ address: proxyHost, family: isIP(proxyHost) as 4 | 6 }];
  else {
    try {
      addresses = (await dns.lookup(proxyHost, { all: true, order: 'verbatim' })).map((e) => ({ address: e.address, family: e.family === 6 ? 6 : 4 }));
    } catch (error) {
      throw new ProbeFailure('proxy', (error as NodeJS.ErrnoException).code ?? 'ENOTFOUND', `the proxy host ${proxyHost} cannot be resolved`);
    }
  }
  let socket: Socket;
  try {
    const attempt = await connectFamilies(state, proxyHost, proxyPort, addresses);
    socket = attempt.socket;
    state.result.phases.connectMs = attempt.ms;
    state.phaseEnd = attempt.connectedAt!;
  } catch (error) {
    const failure = error as ProbeFailure;
    throw new ProbeFailure('proxy', failure.code, `cannot reach the proxy ${proxyHost}:${proxyPort}: ${failure.code}`);
  }
  if (proxyUrl.protocol === 'https:') {
    const plain = socket;
    socket = await new Promise<Socket>((resolve, reject) => {
      const secure = tlsConnect({ socket: plain, servername: isIP(proxyHost) ? undefined : proxyHost });
      secure.once('secureConnect', () => resolve(secure));
      secure.once('error', (error: NodeJS.ErrnoException) => reject(new ProbeFailure('proxy', error.code ?? 'ERROR', `TLS to the proxy failed: ${error.message}`)));
    });
  }
  state.progress('proxy');
  // From the TCP connect to the proxy (TLS to an https:// proxy included) to its answer: curl folds both into appconnect.
  const started = state.phaseEnd ?? performance.now();
  const authority = `${state.host.includes(':') ? `[${state.host}]` : state.host}:${state.port}`;
  const auth = proxyAuthorization(proxyUrl);
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`);
  const head = await readResponseHead(socket, 'proxy', remaining(state));
  const answered = performance.now();
  state.result.phases.proxyConnectMs = between(started, answered);
  state.phaseEnd = answered;
  state.result.proxyStatus = head.status;
  // tinyproxy answers wrong credentials with 401 rather than 407; both mean the proxy refused us.
  if (head.status === 407 || head.status === 401) {
    socket.destroy();
    throw new ProbeFailure('proxy', 'PROXY_AUTH', `the proxy answered ${head.status} ${head.reason}${auth ? ' to the credentials in the proxy URL' : ' (no credentials in the proxy URL)'}`, 407);
  }
  if (head.status < 200 || head.status > 299) {
    socket.destroy();
    throw new ProbeFailure('proxy', `PROXY_${head.status}`, `the proxy refused CONNECT ${authority}: ${head.status} ${head.reason}`, head.status);
  }
  state.result.family = null;
  state.result.address = null;
  state.socket = socket;
};
