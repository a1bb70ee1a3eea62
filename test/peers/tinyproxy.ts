import { readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, Peer } from './peer.ts';

export interface RunningTinyproxy {
  port: number;
  /** With credentials in it when the proxy wants Basic auth. */
  url: string;
  urlWithoutAuth: string;
  /** tinyproxy's own log, where CONNECT targets appear. */
  logPath: string;
  readLog(): Promise<string>;
  stop(): Promise<void>;
  peer: Peer;
}

/** Answers true once anything on the port speaks HTTP, which a 400 for garbage proves. */
function speaksHttp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1_000 });
    socket.once('connect', () => socket.end('GET / HTTP/1.0\r\n\r\n'));
    socket.once('data', (data) => { socket.destroy(); resolve(data.toString('latin1').startsWith('HTTP/')); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

/**
 * Starts tinyproxy in the foreground as an explicit forward proxy on
 * 127.0.0.1, with Basic auth when `user` is given. No ConnectPort lines, which
 * tinyproxy 1.11 documents as "all ports allowed", so CONNECT reaches
 * whatever high port a test server got. The request line is logged at
 * LogLevel Connect as `CONNECT   Nov 21 10:54:12.511 [pid]: Request (file
 * descriptor 5): CONNECT 127.0.0.1:35067 HTTP/1.1`; Info adds the
 * "opensock: opening connection to host:port" lines, useful when a test fails.
 *
 * tinyproxy 1.11.1 answers 407 only when Proxy-Authorization is missing;
 * wrong credentials get `401 Unauthorized` (with WWW-Authenticate), which
 * callers must treat as an auth failure too.
 */
export async function startTinyproxy(options: { dir: string; user?: string; password?: string }): Promise<RunningTinyproxy> {
  const { dir, user } = options;
  const password = options.password ?? '';
  if (user !== undefined && (/[\s"]/.test(user) || /[\s"]/.test(password))) throw new Error('tinyproxy credentials cannot hold spaces or quotes');
  const port = await freePort();
  const logPath = join(dir, 'tinyproxy.log');
  const conf = join(dir, 'tinyproxy.conf');
  const lines = [
    '# written by the clawbar tests',
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 60',
    `LogFile "${logPath}"`,
    'LogLevel Info',
    `PidFile "${join(dir, 'tinyproxy.pid')}"`,
    'MaxClients 50',
    'Allow 127.0.0.1',
    'DisableViaHeader Yes',
    // Only loopback destinations: a gateway routed through this proxy (its clawhub.ai
    // fetch, say) is refused with 403 before tinyproxy resolves or dials anything.
    `Filter "${join(dir, 'tinyproxy.filter')}"`,
    'FilterURLs Off',
    'FilterType ere',
    'FilterDefaultDeny Yes',
  ];
  await writeFile(join(dir, 'tinyproxy.filter'), ['^localhost$', '^127\\.0\\.0\\.1$', '^::1$', '^\\[::1\\]$'].join('\n') + '\n');
  // Running as root, tinyproxy would otherwise switch to a user that may not exist.
  if (process.getuid?.() === 0) lines.push('User root', 'Group root');
  if (user !== undefined) lines.push(`BasicAuth ${user} ${password}`);
  await writeFile(conf, `${lines.join('\n')}\n`);
  const peer = new Peer({ name: 'tinyproxy', command: 'tinyproxy', args: ['-d', '-c', conf], cwd: dir });
  await peer.start();
  await peer.ready(() => speaksHttp(port), 10_000);
  const auth = user !== undefined ? `${encodeURIComponent(user)}:${encodeURIComponent(password)}@` : '';
  return {
    port,
    url: `http://${auth}127.0.0.1:${port}`,
    urlWithoutAuth: `http://127.0.0.1:${port}`,
    logPath,
    readLog: () => readFile(logPath, 'utf8').catch(() => ''),
    stop: () => peer.stop(),
    peer,
  };
}
