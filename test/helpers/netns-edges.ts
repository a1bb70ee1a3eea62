/**
 * Runs inside a network namespace of its own (`unshare -n`): brings up
 * loopback and a dummy (or veth) interface with 10.77.0.1, starts the gateway-tree
 * stand-in (DevTools-like port on 10.77.0.1) and an unrelated listener on
 * 10.77.0.1 too, then prints what `clawbar edges --json` says. Nothing it
 * binds is reachable from outside the namespace.
 */
import { execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { CLI } from './world.ts';

const [home = '', portText = '28789'] = process.argv.slice(2);
const port = Number(portText);
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'ignore' });
ip('link', 'set', 'lo', 'up');
// A dummy interface where the kernel has the module, else a veth pair with both ends in here.
let dev = 'dummy0';
try { ip('link', 'add', dev, 'type', 'dummy'); } catch {
  dev = 'veth0';
  ip('link', 'add', dev, 'type', 'veth', 'peer', 'name', 'veth1');
  ip('link', 'set', 'veth1', 'up');
}
ip('addr', 'add', '10.77.0.1/24', 'dev', dev);
ip('link', 'set', dev, 'up');

const tree = spawn(process.execPath, [join(import.meta.dirname, '..', 'peers', 'gateway-tree-standin.ts'), portText, '10.77.0.1'], { stdio: 'ignore' });
const outsider = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${port + 12}, '10.77.0.1')`], { stdio: 'ignore' });
const up = (host: string, p: number) => new Promise<boolean>((resolve) => {
  const s = connect({ host, port: p, timeout: 500 });
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
  s.once('timeout', () => { s.destroy(); resolve(false); });
});
try {
  for (let i = 0; i < 100 && !((await up('127.0.0.1', port)) && (await up('10.77.0.1', port + 11)) && (await up('10.77.0.1', port + 12))); i++) await new Promise((r) => setTimeout(r, 100));
  const out = execFileSync(process.execPath, [CLI, 'edges', '--json'], { env: { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin' }, encoding: 'utf8', timeout: 60_000 }).toString();
  process.stdout.write(out);
} catch (error) {
  // Exit 2 (critical findings) still prints the report.
  process.stdout.write(String((error as { stdout?: string }).stdout ?? ''));
} finally {
  tree.kill('SIGTERM');
  outsider.kill('SIGTERM');
}
