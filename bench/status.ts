/**
 * `npm run bench:status`: `clawbar status --json` against what operators run
 * today on the same live gateway — `openclaw health --json` and
 * `openclaw gateway probe --json` — all in the same run, with clawbar's peak
 * resident memory; and the listener scan against bare lsof. Timed with the
 * compile cache filled (one run before), as every run after the first is.
 * As root it re-runs itself in a fresh network namespace (loopback only), so
 * nothing it starts can reach beyond this machine.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanListeners } from '../main/glance/listeners.ts';
import { execCommand } from '../main/system/exec.ts';
import { startChrony } from '../test/peers/chrony.ts';
import { NODE24, openclawEntry, QUIET_CONFIG, startGateway } from '../test/peers/openclaw.ts';
import { CLI, ROOT, writeService } from '../test/helpers/world.ts';
import { loopbackOnly, peakRssMiB, PEAK_RSS_FLAGS, runAnyway, timeMedians, verdict } from './harness.ts';

loopbackOnly();

const ROUNDS = Number(process.env.CLAWBAR_BENCH_ROUNDS ?? 7);

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
  const openclaw = (args: string[]) => runAnyway(NODE24, [openclawEntry(), ...args], { env: ocEnv, timeout: 60_000 });
  const status = (flags: string[] = []) => runAnyway(process.execPath, [...flags, CLI, 'status', '--json'], { env: cliEnv });

  console.log(`status on a live gateway (port ${gateway.port}, ready in ${gateway.readyMs} ms)`);
  // A comparison with a command that failed would mean nothing: show that each one answered.
  const first = await status();
  console.log(`  clawbar status --json: exit ${first.code}, gateway ${JSON.parse(first.stdout).gateway.state}`);
  for (const args of [['health', '--json'], ['gateway', 'probe', '--json']]) {
    const result = await openclaw(args);
    console.log(`  openclaw ${args.join(' ')}: exit ${result.code}, ${JSON.stringify(result.stdout.slice(0, 60))}`);
  }
  const times = await timeMedians(ROUNDS, {
    'clawbar status --json': () => status(),
    'openclaw health --json': () => openclaw(['health', '--json']),
    'openclaw gateway probe --json': () => openclaw(['gateway', 'probe', '--json']),
  });
  const rss = Math.max(...await Promise.all([0, 1, 2].map(async () => peakRssMiB((await status(PEAK_RSS_FLAGS)).stderr))));
  console.log(`  ratio clawbar / openclaw gateway probe: ${(times['clawbar status --json'] / times['openclaw gateway probe --json']).toFixed(2)}`);

  // Where the time goes: a bare Node start, loading what `status` loads (compile cache warm), and the whole command.
  const cache = join(root, 'compile-cache');
  const load = `import m from 'node:module'; m.enableCompileCache(${JSON.stringify(cache)}); await Promise.all([${['world.ts', 'session/session.ts', 'cli/emit.ts', 'cli/glance-commands.ts'].map((f) => `import(${JSON.stringify(join(ROOT, 'main', f))})`).join(', ')}]);`;
  const importOnly = (flags: string[] = []) => runAnyway(process.execPath, [...flags, '--input-type=module', '-e', load], { env: cliEnv });
  await importOnly();
  console.log('\nwhere status spends its time');
  const parts = await timeMedians(ROUNDS, {
    'node -e 0': () => runAnyway(process.execPath, ['-e', '0'], { env: cliEnv }),
    'node, loading the modules status loads': () => importOnly(),
    'clawbar status --json': () => status(),
  });
  console.log(`  peak RSS: node -e 0 ${peakRssMiB((await runAnyway(process.execPath, [...PEAK_RSS_FLAGS, '-e', '0'], { env: cliEnv })).stderr).toFixed(1)} MB, loading only ${peakRssMiB((await importOnly(PEAK_RSS_FLAGS)).stderr).toFixed(1)} MB, status ${rss.toFixed(1)} MB`);
  console.log(`  so: start-up ${parts['node -e 0'].toFixed(0)} ms, loading ${(parts['node, loading the modules status loads'] - parts['node -e 0']).toFixed(0)} ms, the look itself ${(parts['clawbar status --json'] - parts['node, loading the modules status loads']).toFixed(0)} ms`);

  console.log('\nlistener scan');
  const scan = await timeMedians(10, {
    'clawbar scanListeners (in process)': () => scanListeners({ exec: execCommand, gatewayPort: gateway.port }),
    'lsof -nP -iTCP -sTCP:LISTEN': () => runAnyway('lsof', ['-nP', '-iTCP', '-sTCP:LISTEN']),
  });
  console.log(`  ratio clawbar / lsof: ${(scan['clawbar scanListeners (in process)'] / scan['lsof -nP -iTCP -sTCP:LISTEN']).toFixed(2)}\n`);
  verdict('clawbar status --json / openclaw health --json', times['clawbar status --json'] / times['openclaw health --json'], { max: 0.1, unit: '×' });
  verdict('clawbar status --json: peak resident memory (of 3 runs)', rss, { max: 80, unit: 'MB' });
} finally {
  await gateway.stop();
  await chrony.stop();
  await rm(root, { recursive: true, force: true });
}
