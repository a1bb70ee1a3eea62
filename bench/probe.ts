/**
 * `npm run bench:probe`: the probe suite against curl, in the same run, on
 * loopback and behind a latency relay (test/peers/latency-relay.ts, 25 ms
 * each way) — 20 TLS targets through nginx:
 *
 * - the whole suite as the CLI runs it (a fresh child: start-up, warm-up and
 *   all probes) against `curl` once per target in sequence, and against the
 *   slowest of those single curls;
 * - the same with a child kept ready, as the app's "Run probes now" runs it;
 * - one target's phases next to `curl -w` (its cumulative times differenced),
 *   direct and through tinyproxy, on loopback and behind the relay.
 *
 * As root it runs in a fresh network namespace (loopback only).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Phases, ProbeResult, ProbeTarget } from '../main/contract.ts';
import { keepProbeChildReady, readyProbeChild, childWorld } from '../main/probes/runner.ts';
import { runProbeSuite } from '../main/probes/suite.ts';
import { execCommand } from '../main/system/exec.ts';
import { startLatencyRelay } from '../test/peers/latency-relay.ts';
import { startNginx } from '../test/peers/nginx.ts';
import { makePki } from '../test/peers/pki.ts';
import { startTinyproxy } from '../test/peers/tinyproxy.ts';
import { loopbackOnly, median, run, verdict } from './harness.ts';

loopbackOnly();

const COUNT = 20;
const ROUNDS = Number(process.env.CLAWBAR_BENCH_ROUNDS ?? 5);
const PHASE_ROUNDS = Number(process.env.CLAWBAR_BENCH_PHASE_ROUNDS ?? 9);
const DELAY_MS = 25;

const root = await mkdtemp(join(tmpdir(), 'clawbar-bench-probe-'));
const stops: Array<() => Promise<unknown>> = [];
const dir = async (name: string) => { await mkdir(join(root, name), { recursive: true }); return join(root, name); };
// As bin/clawbar.js does: the runner hands this process's compile cache to every probe child.
module.enableCompileCache(await dir('compile-cache'));

try {
  const pki = await makePki(await dir('pki'));
  const names = Array.from({ length: COUNT }, (_, i) => `t${String(i + 1).padStart(2, '0')}.bench.test`);
  const cert = await pki.issue('bench', { sans: [...names, 'localhost'] });
  const nginx = await startNginx({ dir: await dir('nginx'), vhosts: [
    { name: 'localhost', serverNames: ['localhost'], cert: cert.chain, key: cert.key, sharedPortGroup: 'bench' },
    ...names.map((name) => ({ name, serverNames: [name], cert: cert.chain, key: cert.key, sharedPortGroup: 'bench' })),
  ] });
  stops.push(() => nginx.stop());
  const edge = nginx.port('localhost');
  const proxy = await startTinyproxy({ dir: await dir('proxy') });
  stops.push(() => proxy.stop());
  const relay = await startLatencyRelay({ upstreamPort: edge, delayMs: DELAY_MS });
  stops.push(() => relay.stop());
  const proxyRelay = await startLatencyRelay({ upstreamPort: proxy.port, delayMs: DELAY_MS });
  stops.push(() => proxyRelay.stop());

  const shellEnv = { HOME: root, PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: pki.caCert };
  const targetsOn = (port: number): ProbeTarget[] => names.map((name) => ({ url: `https://${name}:${port}/`, kind: 'custom', name, sni: null, pin: '127.0.0.1' }));
  const suite = (targets: ProbeTarget[], env: Record<string, string | undefined> = shellEnv) => runProbeSuite({ source: 'shell', service: null, targets, dnsServers: [], timeoutMs: 10_000, shellEnv: env, exec: execCommand });
  const curlFormat = '%{time_namelookup} %{time_connect} %{time_appconnect} %{time_starttransfer} %{time_total}';
  const curl = async (url: string, extra: string[] = []) => {
    const { stdout, stderr } = await run('curl', ['-sS', '-o', '/dev/null', '--cacert', pki.caCert, '-w', curlFormat, ...extra, url]);
    return { times: stdout.trim().split(' ').map((s) => Number(s) * 1000), stderr };
  };
  const curlPinned = (name: string, port: number) => curl(`https://${name}:${port}/`, ['--resolve', `${name}:${port}:127.0.0.1`]);

  /** The suite, curl × 20 in sequence and the slowest single curl of each round, rounds taking turns. */
  async function suiteVersusCurl(title: string, port: number) {
    const targets = targetsOn(port);
    const suiteMs: number[] = [];
    const readyMs: number[] = [];
    const curlsMs: number[] = [];
    const slowestMs: number[] = [];
    const world = (await childWorld({ source: 'shell', service: null, shellEnv })).world;
    for (let round = 0; round < ROUNDS; round++) {
      let started = performance.now();
      const report = await suite(targets);
      suiteMs.push(performance.now() - started);
      if (report.summary.ok !== COUNT) throw new Error(`${title}: only ${report.summary.ok}/${COUNT} ok: ${report.results.find((r) => !r.ok)?.error?.message}`);
      keepProbeChildReady(world);
      await readyProbeChild()!.ready;
      started = performance.now();
      await suite(targets);
      readyMs.push(performance.now() - started);
      keepProbeChildReady(null);
      const singles: number[] = [];
      started = performance.now();
      for (const name of names) {
        const one = performance.now();
        await curlPinned(name, port);
        singles.push(performance.now() - one);
      }
      curlsMs.push(performance.now() - started);
      slowestMs.push(Math.max(...singles));
    }
    const [s, r, c, slowest] = [suiteMs, readyMs, curlsMs, slowestMs].map(median) as [number, number, number, number];
    console.log(`\n${title}: ${COUNT} TLS targets (medians of ${ROUNDS} rounds)`);
    console.log(`  clawbar suite, fresh child (the CLI)          ${s.toFixed(0).padStart(6)} ms`);
    console.log(`  clawbar suite, child kept ready (the app)     ${r.toFixed(0).padStart(6)} ms`);
    console.log(`  curl × ${COUNT}, one after another                ${c.toFixed(0).padStart(6)} ms`);
    console.log(`  slowest single curl of the ${COUNT}                 ${slowest.toFixed(0).padStart(6)} ms`);
    return { suite: s, ready: r, curls: c, slowest };
  }

  console.log(`probe suite against curl (${(await run('curl', ['--version'])).stdout.split('\n')[0]})`);
  // One run first, as every run after an install: it fills the compile cache.
  await suite(targetsOn(edge));
  const loop = await suiteVersusCurl('loopback', edge);
  verdict('loopback: suite (fresh child) / curl × 20 in sequence', loop.suite / loop.curls, { max: 1, unit: '×' });
  verdict('loopback: suite (child kept ready) / curl × 20 in sequence', loop.ready / loop.curls, { max: 1, unit: '×' });
  const wan = await suiteVersusCurl(`behind the latency relay (${DELAY_MS} ms each way)`, relay.port);
  verdict('relay: curl × 20 in sequence / suite (fresh child)', wan.curls / wan.suite, { min: 10, unit: '×' });
  verdict('relay: suite (fresh child) / slowest single curl', wan.suite / wan.slowest, { max: 1.5, unit: '×' });
  verdict('relay: curl × 20 in sequence / suite (child kept ready)', wan.curls / wan.ready, { min: 10, unit: '×' });
  verdict('relay: suite (child kept ready) / slowest single curl', wan.ready / wan.slowest, { max: 1.5, unit: '×' });

  /** clawbar's phases and curl's differenced -w times for one target, medians over rounds taking turns. */
  async function phases(title: string, url: string, via: { proxy?: string } = {}) {
    const env = via.proxy ? { ...shellEnv, https_proxy: via.proxy } : shellEnv;
    const ours: ProbeResult[] = [];
    const theirs: Phases[] = [];
    for (let round = 0; round < PHASE_ROUNDS; round++) {
      const result = (await suite([{ url, kind: 'custom', name: null, sni: null, pin: null }], env)).results[0]!;
      if (!result.ok) throw new Error(`${title}: ${result.error?.message}`);
      ours.push(result);
      const { times: [lookup, connect, app, start, total], stderr } = await curl(url, via.proxy ? ['-x', via.proxy, '-v', '--trace-time'] : []);
      // curl -w has no CONNECT time of its own; its trace stamps the tunnel's answer (µs wall clock).
      let tunnel: number | null = null;
      if (via.proxy) {
        const stamp = (pattern: RegExp) => {
          const line = stderr.split('\n').find((l) => pattern.test(l));
          const m = line && /^(\d\d):(\d\d):(\d\d)\.(\d{6})/.exec(line);
          return m ? ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]) / 1000 : null;
        };
        const connected = stamp(/\* Connected to /);
        const established = stamp(/CONNECT tunnel established/);
        tunnel = connected !== null && established !== null ? established - connected : null;
      }
      theirs.push({
        dnsMs: via.proxy ? null : lookup!,
        connectMs: connect! - lookup!,
        proxyConnectMs: tunnel,
        tlsMs: app! - connect! - (tunnel ?? 0),
        ttfbMs: start! - app!,
        totalMs: total!,
      });
    }
    console.log(`\n${title}: ${url}${via.proxy ? ` via ${via.proxy}` : ''} (medians of ${PHASE_ROUNDS})`);
    console.log(`  ${'phase'.padEnd(16)} ${'clawbar'.padStart(9)} ${'curl -w'.padStart(9)}   within max(1 ms, 10 %)`);
    let matched = 0;
    let compared = 0;
    for (const phase of ['dnsMs', 'connectMs', 'proxyConnectMs', 'tlsMs', 'ttfbMs', 'totalMs'] as const) {
      const a = ours.map((r) => r.phases[phase]).filter((v): v is number => v !== null);
      const b = theirs.map((p) => p[phase]).filter((v): v is number => v !== null);
      if (a.length === 0 || b.length === 0) continue;
      const [x, y] = [median(a), median(b)];
      const ok = Math.abs(x - y) <= Math.max(1, 0.1 * y);
      compared++;
      if (ok) matched++;
      console.log(`  ${phase.padEnd(16)} ${x.toFixed(2).padStart(9)} ${y.toFixed(2).padStart(9)}   ${ok ? 'yes' : `no (${x > y ? '+' : ''}${(x - y).toFixed(2)} ms)`}`);
    }
    return { title, matched, compared };
  }

  const tables = [
    await phases('loopback, direct', `https://localhost:${edge}/`),
    await phases('loopback, through tinyproxy', `https://localhost:${edge}/`, { proxy: proxy.urlWithoutAuth }),
    await phases(`relay (${DELAY_MS} ms each way), direct`, `https://localhost:${relay.port}/`),
    await phases(`relay (${DELAY_MS} ms each way) to tinyproxy`, `https://localhost:${edge}/`, { proxy: `http://127.0.0.1:${proxyRelay.port}` }),
  ];
  console.log('');
  for (const table of tables) verdict(`phases within max(1 ms, 10 %) of curl -w: ${table.title}`, table.matched, { min: table.compared, unit: 'of' });
} finally {
  keepProbeChildReady(null);
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await rm(root, { recursive: true, force: true });
}
