import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canConnect, freePort, Peer } from './peer.ts';

/**
 * Caddy (Debian `caddy`) as a TLS reverse proxy on loopback: our own
 * certificate (no ACME, admin endpoint off), TLS 1.2+ as Caddy defaults,
 * optional HSTS. Caddy rebuilds X-Forwarded-For from the address it saw
 * unless the client is one of its own trusted proxies.
 */
export interface CaddyOptions {
  dir: string;
  upstream: string;
  cert: string;
  key: string;
  hsts?: boolean;
}

export interface RunningCaddy {
  port: number;
  peer: Peer;
  stop(): Promise<void>;
}

export async function startCaddy(options: CaddyOptions): Promise<RunningCaddy> {
  await mkdir(join(options.dir, 'data'), { recursive: true });
  const port = await freePort();
  const caddyfile = join(options.dir, 'Caddyfile');
  await writeFile(caddyfile, `# written by the clawbar tests
{
  admin off
  auto_https off
  default_sni localhost
  storage file_system ${join(options.dir, 'data')}
}
:${port} {
  bind 127.0.0.1
  tls ${options.cert} ${options.key} {
    protocols tls1.2 tls1.3
  }
  ${options.hsts ? 'header Strict-Transport-Security "max-age=31536000"' : ''}
  reverse_proxy ${options.upstream}
}
`);
  const home = join(options.dir, 'home');
  const peer = new Peer({
    name: 'caddy', command: 'caddy', args: ['run', '--config', caddyfile, '--adapter', 'caddyfile'], cwd: options.dir,
    env: { HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config'), PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  await peer.start();
  await peer.ready(() => canConnect(port), 15_000);
  return { port, peer, stop: () => peer.stop() };
}
