/**
 * `npm run bench:probe`: 20 TLS targets on loopback through nginx. The whole
 * clawbar suite (one child, all targets concurrently) against curl run once
 * per target in sequence — what an operator's shell loop does today — in the
 * same run, plus clawbar's phase timings next to curl -w for one target.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runProbeSuite } from '../main/probes/suite.ts';
import { execCommand } from '../main/system/exec.ts';
import type { ProbeTarget } from '../main/contract.ts';
import { startNginx } from '../test/peers/nginx.ts';
import { makePki } from '../test/peers/pki.ts';
import { median } from './harness.ts';

const run = promisify(execFile);
const COUNT = 20;
const ROUNDS = 3;

const root = await mkdtemp(join(tmpdir(), 'clawbar-bench-'));
const dir = async (name: string) => { await mkdir(join(root, name), { recursive: true }); return join(root, name); };
const pki = await makePki(await dir('pki'));
const names = Array.from({ length: COUNT }, (_, i) => `t${String(i + 1).padStart(2, '0')}.bench.test`);
const cert = await pki.issue('bench', { sans: names });
const nginx = await startNginx({ dir: await dir('nginx'), vhosts: names.map((name) => ({ name, serverNames: [name], cert: cert.chain, key: cert.key, sharedPortGroup: 'bench' })) });
const port = nginx.port(names[0]!);
const url = (name: string) => `https://${name}:${port}/`;
const targets: ProbeTarget[] = names.map((name) => ({ url: url(name), kind: 'custom', name, sni: null, pin: '127.0.0.1' }));
const env = { HOME: root, PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: pki.caCert };

const curlFormat = '%{time_namelookup} %{time_connect} %{time_appconnect} %{time_starttransfer} %{time_total}';
async function curl(name: string): Promise<number[]> {
  const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '--cacert', pki.caCert, '--resolve', `${name}:${port}:127.0.0.1`, '-w', curlFormat, url(name)]);
  return stdout.trim().split(' ').map((s) => Number(s) * 1000);
}

try {
  const suiteTimes: number[] = [];
  const curlTimes: number[] = [];
  let last;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    last = await runProbeSuite({ source: 'shell', service: null, targets, dnsServers: [], timeoutMs: 5000, shellEnv: env, exec: execCommand });
    suiteTimes.push(performance.now() - started);
    if (last.summary.ok !== COUNT) throw new Error(`suite: only ${last.summary.ok}/${COUNT} ok`);
    const curlStarted = performance.now();
    for (const name of names) await curl(name);
    curlTimes.push(performance.now() - curlStarted);
  }
  const suite = median(suiteTimes);
  const curls = median(curlTimes);
  console.log(`probe suite, ${COUNT} TLS targets via nginx on loopback (median of ${ROUNDS} rounds)`);
  console.log(`  clawbar suite (child process + all probes): ${suite.toFixed(0)} ms`);
  console.log(`  curl x ${COUNT}, sequential:               ${curls.toFixed(0)} ms`);
  console.log(`  ratio clawbar / curl:                      ${(suite / curls).toFixed(2)}`);

  const one = (await runProbeSuite({ source: 'shell', service: null, targets: targets.slice(0, 1), dnsServers: [], timeoutMs: 5000, shellEnv: env, exec: execCommand })).results[0]!;
  const [, connect, app, start, total] = await curl(names[0]!);
  const row = (label: string, ours: number | null, theirs: number) => console.log(`  ${label.padEnd(10)} ${String(ours?.toFixed(2) ?? '-').padStart(8)} ms   ${theirs.toFixed(2).padStart(8)} ms`);
  console.log(`\nphases for ${names[0]} (durations; curl's cumulative -w times differenced)`);
  console.log('             clawbar        curl');
  row('connect', one.phases.connectMs, connect!);
  row('tls', one.phases.tlsMs, app! - connect!);
  row('ttfb', one.phases.ttfbMs, start! - app!);
  row('total', one.phases.totalMs, total!);
} finally {
  await nginx.stop();
  await rm(root, { recursive: true, force: true });
}
