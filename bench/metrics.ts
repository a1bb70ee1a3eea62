/**
 * `npm run bench:metrics`: how long `clawbar metrics` takes on a live gateway
 * (status look, last probe run, atomic textfile write, process start-up
 * included) against `promtool check metrics` reading the same file — both
 * measured in this run. As root it re-runs itself in a fresh network
 * namespace (loopback only), so nothing it starts can reach beyond this machine.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NODE24, QUIET_CONFIG, startGateway } from '../test/peers/openclaw.ts';
import { startSntpServer } from '../test/peers/sntp-server.ts';
import { promtool } from '../test/helpers/promtool.ts';
import { CLI, writeService } from '../test/helpers/world.ts';

if (process.getuid?.() === 0 && !process.env.CLAWBAR_BENCH_NETNS) {
  const result = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, CLAWBAR_BENCH_NETNS: '1' } });
  process.exit(result.status ?? 1);
}

const run = promisify(execFile);
const ROUNDS = 7;
const median = (values: number[]) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
async function time(label: string, work: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  const value = median(samples);
  console.log(`  ${label.padEnd(36)} ${value.toFixed(0).padStart(6)} ms  (median of ${ROUNDS})`);
  return value;
}

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
  console.log(`metrics on a live gateway (port ${gateway.port})`);
  const clawbar = await time('clawbar metrics --out FILE', () => run(process.execPath, [CLI, 'metrics', '--out', out], { env }));
  const text = await readFile(out, 'utf8');
  const checked = await promtool(['check', 'metrics'], text);
  console.log(`  promtool check metrics: exit ${checked.code}${checked.stdout + checked.stderr ? `, ${(checked.stdout + checked.stderr).trim()}` : ', clean'} (${text.split('\n').filter((l) => l && !l.startsWith('#')).length} samples)`);
  const reference = await time('promtool check metrics < FILE', () => promtool(['check', 'metrics'], text));
  console.log(`  ratio clawbar metrics / promtool check metrics: ${(clawbar / reference).toFixed(1)}x`);
} finally {
  await gateway.stop();
  await sntp.stop();
  await rm(root, { recursive: true, force: true });
}
