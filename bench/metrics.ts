/**
 * `npm run bench:metrics`: how long `clawbar metrics` takes on a live gateway
 * (status look, last probe run, atomic textfile write, process start-up
 * included; compile cache filled by one run before) against `promtool check
 * metrics` reading the same file — both measured in this run. As root it
 * re-runs itself in a fresh network namespace (loopback only), so nothing it
 * starts can reach beyond this machine.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE24, QUIET_CONFIG, startGateway } from '../test/peers/openclaw.ts';
import { startSntpServer } from '../test/peers/sntp-server.ts';
import { promtool } from '../test/helpers/promtool.ts';
import { CLI, writeService } from '../test/helpers/world.ts';
import { loopbackOnly, run, timeMedians, verdict } from './harness.ts';

loopbackOnly();

const ROUNDS = Number(process.env.CLAWBAR_BENCH_ROUNDS ?? 9);

const root = await mkdtemp(join(tmpdir(), 'clawbar-bench-metrics-'));
const sntp = await startSntpServer({ offsetMs: 0 });
const gateway = await startGateway({ home: join(root, 'gateway'), config: QUIET_CONFIG });
try {
  const world = join(root, 'world');
  const svc = await writeService(world, { port: gateway.port, nodePath: NODE24, env: { HOME: world, OPENCLAW_GATEWAY_PORT: String(gateway.port) } });
  await writeFile(join(svc.stateDir, 'openclaw.json'), JSON.stringify({ gateway: { port: gateway.port, auth: { mode: 'none' } } }));
  await mkdir(join(world, '.config', 'clawbar'), { recursive: true });
  await writeFile(join(world, '.config', 'clawbar', 'config.json'), JSON.stringify({ ntpServer: `127.0.0.1:${sntp.port}` }));
  const out = join(root, 'clawbar.prom');
  const env = { HOME: world, PATH: process.env.PATH };
  const metrics = () => run(process.execPath, [CLI, 'metrics', '--out', out], { env });
  console.log(`metrics on a live gateway (port ${gateway.port})`);
  await metrics();
  const text = await readFile(out, 'utf8');
  const checked = await promtool(['check', 'metrics'], text);
  console.log(`  promtool check metrics: exit ${checked.code}${checked.stdout + checked.stderr ? `, ${(checked.stdout + checked.stderr).trim()}` : ', clean'} (${text.split('\n').filter((l) => l && !l.startsWith('#')).length} samples)`);
  const times = await timeMedians(ROUNDS, {
    'clawbar metrics --out FILE': metrics,
    'promtool check metrics < FILE': () => promtool(['check', 'metrics'], text),
  });
  verdict('clawbar metrics / promtool check metrics', times['clawbar metrics --out FILE'] / times['promtool check metrics < FILE'], { max: 3, unit: '×' });
} finally {
  await gateway.stop();
  await sntp.stop();
  await rm(root, { recursive: true, force: true });
}
