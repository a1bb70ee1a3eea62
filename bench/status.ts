/**
 * `npm run bench:status`: `clawbar status --json` against what operators run
 * today on the same live gateway — `openclaw health --json` and
 * `openclaw gateway probe --json` — and the listener scan against bare lsof,
 * all in the same run. As root it re-runs itself in a fresh network namespace
 * (loopback only), so nothing it starts can reach beyond this machine.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { scanListeners } from '../main/glance/listeners.ts';
import { execCommand } from '../main/system/exec.ts';
import { startChrony } from '../test/peers/chrony.ts';
import { NODE24, openclawEntry, QUIET_CONFIG, startGateway } from '../test/peers/openclaw.ts';
import { CLI, writeService } from '../test/helpers/world.ts';
import { loopbackOnly, timeMedian } from './harness.ts';

loopbackOnly();

const run = promisify(execFile);
const ROUNDS = 5;

const root = await mkdtemp(join(tmpdir(), 'clawbar-bench-status-'));
const token = 'bench-token-0123456789abcdef';
await mkdir(join(root, 'chrony'), { recursive: true });
const chrony = await startChrony({ dir: join(root, 'chrony') });
const gwHome = join(root, 'gateway');
const gateway = await startGateway({ home: gwHome, auth: 'token', token, config: { ...QUIET_CONFIG, gateway: { auth: { mode: 'token', token } } } });
try {
  const world = join(root, 'world');
  const svc = await writeService(world, { port: gateway.port, nodePath: NODE24, env: { HOME: world, OPENCLAW_GATEWAY_PORT: String(gateway.port) } });
  await writeFile(join(svc.stateDir, 'openclaw.json'), JSON.stringify({ gateway: { port: gateway.port, auth: { mode: 'token' } } }));
  await mkdir(join(world, '.config', 'clawbar'), { recursive: true });
  await writeFile(join(world, '.config', 'clawbar', 'config.json'), JSON.stringify({ ntpServer: `127.0.0.1:${chrony.port}` }));
  const cliEnv = { HOME: world, PATH: process.env.PATH };
  const ocEnv = { HOME: gwHome, PATH: `${join(NODE24, '..')}:/usr/bin:/bin`, OPENCLAW_GATEWAY_PORT: String(gateway.port), OPENCLAW_GATEWAY_TOKEN: token, TMPDIR: '/tmp' };
  const openclaw = (args: string[]) => run(NODE24, [openclawEntry(), ...args], { env: ocEnv, timeout: 60_000 }).catch((error: { stdout?: string }) => error);

  console.log(`status on a live gateway (port ${gateway.port}, ready in ${gateway.readyMs} ms)`);
  // A comparison with a command that failed would mean nothing: show that each one answered.
  for (const args of [['health', '--json'], ['gateway', 'probe', '--json']]) {
    const result = await openclaw(args) as { stdout?: string; code?: number };
    console.log(`  openclaw ${args.join(' ')}: exit ${result.code ?? 0}, ${JSON.stringify((result.stdout ?? '').slice(0, 70))}`);
  }
  const clawbar = await timeMedian('clawbar status --json', ROUNDS, () => run(process.execPath, [CLI, 'status', '--json'], { env: cliEnv }).catch((e) => e));
  const health = await timeMedian('openclaw health --json', ROUNDS, () => openclaw(['health', '--json']));
  const probe = await timeMedian('openclaw gateway probe --json', ROUNDS, () => openclaw(['gateway', 'probe', '--json']));
  console.log(`  ratio clawbar / openclaw health:        ${(clawbar / health).toFixed(2)}`);
  console.log(`  ratio clawbar / openclaw gateway probe: ${(clawbar / probe).toFixed(2)}`);

  console.log('\nlistener scan');
  const scan = await timeMedian('clawbar scanListeners (in process)', 10, () => scanListeners({ exec: execCommand, gatewayPort: gateway.port }));
  const lsof = await timeMedian('lsof -nP -iTCP -sTCP:LISTEN', 10, () => run('lsof', ['-nP', '-iTCP', '-sTCP:LISTEN']).catch((e) => e));
  console.log(`  ratio clawbar / lsof:                   ${(scan / lsof).toFixed(2)}`);
} finally {
  await gateway.stop();
  await chrony.stop();
  await rm(root, { recursive: true, force: true });
}
