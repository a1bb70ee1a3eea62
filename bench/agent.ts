/**
 * `npm run bench:agent` (first half): the app's "Run probes now" — the
 * agent's runProbes() end to end (targets from the config and allowlist, the
 * suite in the child kept ready for the daemon's world, the probe log and
 * last run written, the state published) — against the slowest of its
 * targets, 20 TLS endpoints behind the latency relay (25 ms each way) and on
 * plain loopback. As root it runs in a fresh network namespace (loopback only).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../main/agent/agent.ts';
import { readyProbeChild } from '../main/probes/runner.ts';
import { Settings } from '../main/settings.ts';
import { startLatencyRelay } from '../test/peers/latency-relay.ts';
import { startNginx } from '../test/peers/nginx.ts';
import { QUIET_CONFIG } from '../test/peers/openclaw.ts';
import { makePki } from '../test/peers/pki.ts';
import { writeService } from '../test/helpers/world.ts';
import { loopbackOnly, median, verdict } from './harness.ts';

loopbackOnly();

const COUNT = 20;
const ROUNDS = Number(process.env.CLAWBAR_BENCH_ROUNDS ?? 7);
const DAY_MS = 86_400_000;

const root = await mkdtemp(join(tmpdir(), 'clawbar-bench-agent-'));
const stops: Array<() => Promise<unknown>> = [];
try {
  await mkdir(join(root, 'pki'));
  await mkdir(join(root, 'nginx'));
  const pki = await makePki(join(root, 'pki'));
  const cert = await pki.issue('edge', { sans: ['localhost'] });
  const nginx = await startNginx({ dir: join(root, 'nginx'), vhosts: [{ name: 'edge', serverNames: ['localhost'], cert: cert.chain, key: cert.key }] });
  stops.push(() => nginx.stop());
  const relay = await startLatencyRelay({ upstreamPort: nginx.port('edge') });
  stops.push(() => relay.stop());

  /** A service whose allowlist names COUNT endpoints on `port`; the daemon trusts the test CA through its env file. */
  async function agentFor(name: string, port: number): Promise<Agent> {
    const home = join(root, name);
    const gatewayPort = 9; // nothing listens: the gateway's own targets fail at once and never are the slowest
    const service = await writeService(home, { port: gatewayPort, env: { HOME: home, OPENCLAW_GATEWAY_PORT: String(gatewayPort), NODE_EXTRA_CA_CERTS: pki.caCert } });
    await writeFile(join(service.stateDir, 'openclaw.json'), JSON.stringify({ ...QUIET_CONFIG, gateway: { port: gatewayPort, bind: 'loopback', auth: { mode: 'none' } } }));
    const config = join(home, '.config', 'clawbar');
    await mkdir(config, { recursive: true });
    await writeFile(join(config, 'allowlist.yaml'), `egress:\n${Array.from({ length: COUNT }, (_, i) => `  - host: localhost\n    port: ${port}\n    path: /?n=${i + 1}\n`).join('')}`);
    // Only "Run probes now" runs here: every schedule is a day away.
    return new Agent({ settings: Settings.parse({}), home, shellEnv: { HOME: home, PATH: process.env.PATH }, intervals: { healthMs: DAY_MS, listenersMs: DAY_MS, clockMs: DAY_MS, probesMs: DAY_MS, serviceMs: DAY_MS, configMs: DAY_MS } });
  }

  async function runNow(title: string, port: number) {
    const agent = await agentFor(title.replace(/\W+/g, '-'), port);
    await agent.start();
    await agent.runProbes();
    const ratios: number[] = [];
    const walls: number[] = [];
    const slowest: number[] = [];
    const suites: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await readyProbeChild()?.ready;
      const started = performance.now();
      const report = await agent.runProbes();
      const wall = performance.now() - started;
      const edge = report.results.filter((r) => r.kind === 'allowlist');
      if (edge.filter((r) => r.ok).length !== COUNT) throw new Error(`${title}: ${edge.find((r) => !r.ok)?.error?.message ?? 'targets missing'}`);
      const worst = Math.max(...report.results.map((r) => r.phases.totalMs));
      walls.push(wall);
      slowest.push(worst);
      suites.push(report.summary.durationMs);
      ratios.push(wall / worst);
    }
    // What the agent adds around the suite, measured apart: its state, redacted for the exits, is built on each publish.
    const states: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      agent.getState();
      states.push(performance.now() - started);
    }
    await agent.stop();
    console.log(`\n"Run probes now", ${title}: ${COUNT} TLS targets from the allowlist plus the gateway's own (medians of ${ROUNDS})`);
    console.log(`  agent.runProbes(), child kept ready   ${median(walls).toFixed(1).padStart(7)} ms`);
    console.log(`  the suite alone (its durationMs)     ${median(suites).toFixed(1).padStart(7)} ms`);
    console.log(`  slowest target's totalMs             ${median(slowest).toFixed(1).padStart(7)} ms`);
    console.log(`  one agent.getState() (each publish)  ${median(states).toFixed(1).padStart(7)} ms`);
    return median(ratios);
  }

  const wan = await runNow('behind the latency relay (25 ms each way)', relay.port);
  const loop = await runNow('loopback', nginx.port('edge'));
  console.log('');
  verdict('"Run probes now" / slowest target, behind the relay', wan, { max: 1.2, unit: '×' });
  verdict('"Run probes now" / slowest target, loopback', loop, { max: 1.2, unit: '×' });
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await rm(root, { recursive: true, force: true });
}
