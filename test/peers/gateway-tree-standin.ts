/**
 * A stand-in for the gateway's process tree, for the one test that needs a
 * listener beyond loopback: the parent answers /health on the gateway port
 * as OpenClaw does, its child holds the browser control port (+2) and the
 * grandchild a DevTools-like port (+11, answering /json/version) on the
 * address it is given. Run as `gateway-tree-standin.ts <port> <cdp host>`.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';

const [role = 'gateway', portText = '28789', cdpHost = '127.0.0.1'] = process.argv.slice(2).length === 3 ? process.argv.slice(2) : ['gateway', ...process.argv.slice(2)];
const port = Number(portText);

function serve(host: string, listenPort: number, body: object): void {
  createServer((_req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(body)); }).listen(listenPort, host);
}

function child(next: string): void {
  const proc = spawn(process.execPath, [import.meta.filename, next, portText, cdpHost], { stdio: 'inherit' });
  process.on('SIGTERM', () => { proc.kill('SIGTERM'); process.exit(0); });
}

if (role === 'gateway') { serve('127.0.0.1', port, { ok: true, status: 'live' }); child('control'); }
if (role === 'control') { serve('127.0.0.1', port + 2, { ok: true }); child('cdp'); }
if (role === 'cdp') { serve(cdpHost, port + 11, { Browser: 'HeadlessChrome/140.0.0.0', 'Protocol-Version': '1.3' }); process.on('SIGTERM', () => process.exit(0)); }
