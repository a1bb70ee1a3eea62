import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { canConnect, freePort, Peer } from './peer.ts';

const run = promisify(execFile);

/** One nginx server block: a TLS edge, a plain HTTP site, or a reverse proxy. */
export interface Vhost {
  /** Key for `port(name)`; not sent anywhere. */
  name: string;
  serverNames: string[];
  /** Path to the PEM nginx sends: pass `chain` from pki.ts to include the CA. */
  cert?: string;
  key?: string;
  /** Defaults to true when a cert is given. */
  tls?: boolean;
  /** nginx `ssl_protocols`; default 'TLSv1.2 TLSv1.3'. Any TLSv1/TLSv1.1 also lowers the cipher security level to 0. */
  protocols?: string;
  /** Default 'v4' (127.0.0.1); 'v6' is ::1. */
  listen?: 'v4' | 'v6' | 'both';
  hsts?: boolean;
  /** Upstream URL; WebSocket upgrades are passed through. */
  proxyPass?: string;
  /** X-Forwarded-For toward the upstream: none set (the client's own header passes through), appended, or overwritten. */
  forwardedFor?: 'pass' | 'append' | 'overwrite';
  /**
   * Vhosts with the same group share one port and are chosen by SNI/Host. The
   * first one is the default server. They must agree on tls and listen, and
   * the TLS protocols offered follow the default server's.
   */
  sharedPortGroup?: string;
}

export interface RunningNginx {
  port(name: string): number;
  stop(): Promise<void>;
  peer: Peer;
  /**
   * Whether `openssl s_client -tls1` completed a handshake with the first vhost
   * offering TLSv1; false when no vhost offers TLSv1.
   */
  supportsTls10: boolean;
  errorLog: string;
  accessLog: string;
}

/** The canned statuses `/status/<code>` can return; nginx `return` needs a literal code. */
const STATUS_BODIES: Record<number, string> = {
  200: 'ok', 400: 'bad request', 401: 'unauthorized', 403: 'Access denied: request blocked by security policy',
  404: 'not found', 407: 'proxy authentication required', 421: 'misdirected request', 429: 'too many requests',
  500: 'internal server error', 502: 'bad gateway', 503: 'service unavailable', 504: 'gateway timeout',
};

const usesTls = (v: Vhost): boolean => v.tls ?? Boolean(v.cert);
const offersOldTls = (protocols: string): boolean => /\bTLSv1(\.1)?(?![.\d])/.test(protocols);

/** True when nothing listens on `port` on `host`, so a v4 port can be reused on ::1. */
function bindable(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

async function portFor(listen: Vhost['listen']): Promise<number> {
  if (listen === 'v6') return freePort('::1');
  // 'both' needs the same number free on two stacks; a few tries are plenty.
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = await freePort();
    if (listen !== 'both' || await bindable(port, '::1')) return port;
  }
  throw new Error('no port free on both 127.0.0.1 and ::1');
}

function hostsOf(listen: Vhost['listen']): string[] {
  return listen === 'v6' ? ['::1'] : listen === 'both' ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
}

function serverBlock(v: Vhost, port: number, isDefault: boolean): string {
  const tls = usesTls(v);
  if (tls && (!v.cert || !v.key)) throw new Error(`vhost ${v.name} wants TLS but has no cert/key`);
  const lines: string[] = [];
  for (const host of hostsOf(v.listen)) {
    lines.push(`listen ${host.includes(':') ? `[${host}]` : host}:${port}${tls ? ' ssl' : ''}${isDefault ? ' default_server' : ''};`);
  }
  lines.push(`server_name ${v.serverNames.join(' ') || '""'};`);
  if (tls) {
    const protocols = v.protocols ?? 'TLSv1.2 TLSv1.3';
    lines.push(`ssl_certificate ${v.cert};`, `ssl_certificate_key ${v.key};`, `ssl_protocols ${protocols};`);
    // OpenSSL 3 refuses TLS 1.0/1.1 (SHA-1 handshake signatures) above security level 0.
    if (offersOldTls(protocols)) lines.push('ssl_ciphers DEFAULT:@SECLEVEL=0;');
  }
  if (v.hsts) lines.push('add_header Strict-Transport-Security "max-age=31536000" always;');
  if (v.proxyPass) {
    lines.push(`location / {
      proxy_pass ${v.proxyPass};
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;${v.forwardedFor === 'append' ? '\n      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;' : v.forwardedFor === 'overwrite' ? '\n      proxy_set_header X-Forwarded-For $remote_addr;' : ''}
      proxy_read_timeout 300s;
    }`);
  } else {
    lines.push(`location = / { return 200 "ok\\n"; }`, 'location = /date { return 200 "$time_iso8601\\n"; }');
    for (const [code, body] of Object.entries(STATUS_BODIES)) {
      // add_header inside a location drops inherited ones, so HSTS is repeated where needed.
      const extra = [code === '429' ? 'add_header Retry-After 7 always;' : '', v.hsts && code === '429' ? 'add_header Strict-Transport-Security "max-age=31536000" always;' : ''].join(' ');
      lines.push(`location = /status/${code} { ${extra} return ${code} "${body}\\n"; }`);
    }
    lines.push('location = /status/204 { return 204; }', 'location / { return 404 "not found\\n"; }');
  }
  return `  server {\n    ${lines.join('\n    ')}\n  }`;
}

function nginxConfig(dir: string, blocks: string[]): string {
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  return `# written by the clawbar tests
${user}daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} info;
events { worker_connections 256; }
http {
  access_log ${join(dir, 'access.log')};
  client_body_temp_path ${join(dir, 'tmp', 'body')};
  proxy_temp_path ${join(dir, 'tmp', 'proxy')};
  fastcgi_temp_path ${join(dir, 'tmp', 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'tmp', 'uwsgi')};
  scgi_temp_path ${join(dir, 'tmp', 'scgi')};
  default_type text/plain;
  server_names_hash_bucket_size 128;
  map $http_upgrade $connection_upgrade { default upgrade; "" close; }
${blocks.join('\n')}
}
`;
}

/**
 * Completes a TLS 1.0 handshake with the local `openssl` CLI, at security
 * level 0 on the client side too, since OpenSSL 3 clients refuse TLS 1.0's
 * SHA-1 signatures otherwise. s_client prints "Protocol : TLSv1" even for a
 * failed handshake, so only a negotiated cipher counts.
 */
export async function probeTls10(port: number, serverName: string, host = '127.0.0.1'): Promise<boolean> {
  const pending = run('openssl', ['s_client', '-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0', '-connect', `${host.includes(':') ? `[${host}]` : host}:${port}`, '-servername', serverName],
    { timeout: 5_000, killSignal: 'SIGKILL' });
  // EOF on stdin makes s_client hang up right after the handshake.
  pending.child.stdin?.end();
  const result = await pending.catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  return /^New, TLSv1(\.0)?, Cipher is (?!\(NONE\))/m.test(result.stdout);
}

/**
 * Starts one nginx in the foreground with everything it writes under `dir`,
 * so it needs no system paths and the Peer can stop it with a signal.
 */
export async function startNginx(options: { dir: string; vhosts: Vhost[] }): Promise<RunningNginx> {
  const { dir, vhosts } = options;
  await mkdir(join(dir, 'tmp'), { recursive: true });
  const groups = new Map<string, Vhost[]>();
  for (const v of vhosts) {
    const key = v.sharedPortGroup ? `group:${v.sharedPortGroup}` : `vhost:${v.name}`;
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  const ports = new Map<string, number>();
  const sockets: Array<{ host: string; port: number }> = [];
  const blocks: string[] = [];
  for (const members of groups.values()) {
    const first = members[0]!;
    if (members.some((m) => usesTls(m) !== usesTls(first) || (m.listen ?? 'v4') !== (first.listen ?? 'v4'))) {
      throw new Error(`vhosts sharing port group ${first.sharedPortGroup} must agree on tls and listen`);
    }
    const port = await portFor(first.listen);
    members.forEach((m, i) => { ports.set(m.name, port); blocks.push(serverBlock(m, port, i === 0)); });
    for (const host of hostsOf(first.listen)) sockets.push({ host, port });
  }
  const conf = join(dir, 'nginx.conf');
  const errorLog = join(dir, 'error.log');
  await writeFile(conf, nginxConfig(dir, blocks));
  const args = ['-p', dir, '-c', conf, '-e', errorLog];
  // A config error is clearer from `nginx -t` than from a peer that never comes up.
  await run('nginx', ['-t', '-q', ...args], { timeout: 10_000 }).catch((error: { stderr?: string }) => {
    throw new Error(`nginx rejected ${conf}:\n${error.stderr ?? error}`);
  });
  const peer = new Peer({ name: 'nginx', command: 'nginx', args, cwd: dir });
  await peer.start();
  await peer.ready(async () => (await Promise.all(sockets.map((s) => canConnect(s.port, s.host)))).every(Boolean), 10_000);
  const old = vhosts.find((v) => usesTls(v) && /\bTLSv1(?![.\d])/.test(v.protocols ?? ''));
  const supportsTls10 = old ? await probeTls10(ports.get(old.name)!, old.serverNames[0] ?? 'localhost', hostsOf(old.listen)[0]) : false;
  return {
    port(name) {
      const port = ports.get(name);
      if (port === undefined) throw new Error(`no vhost named ${name}`);
      return port;
    },
    stop: () => peer.stop(),
    peer,
    supportsTls10,
    errorLog,
    accessLog: join(dir, 'access.log'),
  };
}
