/**
 * `npm run bench:watch`: the watcher's idle cost. `clawbar watch` runs as its
 * own process, with the node flags `watch install` gives the job, at the
 * default schedules (health every minute, listeners every five, clock every
 * ten, probes hourly, config polled every 15 s) against the real gateway,
 * with a webhook notifier and the heartbeat on a loopback receiver. After its
 * start-up work has settled, its CPU time and resident memory are read from
 * /proc over a few minutes: all in (every check included, and its children:
 * lsof, the probe child), and between checks — from 5 s after each cycle's
 * heartbeat to 10 s before the next, what the watcher costs while it waits
 * (timers, the config poll, the garbage collector). As root it runs in a
 * fresh network namespace (loopback only).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSntpServer } from '../test/peers/sntp-server.ts';
import { NODE24, QUIET_CONFIG, startGateway } from '../test/peers/openclaw.ts';
import { Peer, waitFor } from '../test/peers/peer.ts';
import { startReceiver } from '../test/peers/receiver.ts';
import { CLI, writeService } from '../test/helpers/world.ts';
import { WATCH_NODE_FLAGS } from '../main/watch/launchd-job.ts';
import { loopbackOnly, verdict } from './harness.ts';

loopbackOnly();

const SETTLE_MS = Number(process.env.CLAWBAR_BENCH_WATCH_SETTLE_SEC ?? 75) * 1000;
const WINDOW_MS = Number(process.env.CLAWBAR_BENCH_WATCH_SEC ?? 240) * 1000;
const TICK_HZ = 100;
/** What `watch install` puts before the script in the job's ProgramArguments, unless the environment names others to compare. */
const NODE_FLAGS = process.env.CLAWBAR_BENCH_WATCH_NODE_FLAGS !== undefined ? process.env.CLAWBAR_BENCH_WATCH_NODE_FLAGS.split(' ').filter(Boolean) : WATCH_NODE_FLAGS;
const CYCLE_MS = 60_000;

/** utime, stime, cutime, cstime of a process, in seconds (Linux /proc; fields 14–17). */
async function cpu(pid: number): Promise<{ own: number; children: number }> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /, '').split(' ').map(Number);
  return { own: (fields[11]! + fields[12]!) / TICK_HZ, children: (fields[13]! + fields[14]!) / TICK_HZ };
}

async function memory(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/** Resident memory of the processes `pid` started that are still running (an idle probe child would be one), in MB. */
async function childrenRss(pid: number): Promise<{ count: number; rss: number }> {
  let count = 0;
  let rss = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (Number(stat.replace(/^.*\) /, '').split(' ')[1]) !== pid) continue;
    count++;
    rss += (await memory(Number(entry)).catch(() => ({ rss: 0 }))).rss;
  }
  return { count, rss };
}

const root = await mkdtemp(join(tmpdir(), 'clawbar-bench-watch-'));
const stops: Array<() => Promise<unknown>> = [];
try {
  const receiver = await startReceiver();
  stops.push(() => receiver.close());
  const sntp = await startSntpServer({ offsetMs: 0 });
  stops.push(() => sntp.stop());
  const gateway = await startGateway({ home: join(root, 'gateway'), config: QUIET_CONFIG });
  stops.push(() => gateway.stop());
  const world = join(root, 'world');
  const service = await writeService(world, { nodePath: NODE24, port: gateway.port, env: { HOME: world, OPENCLAW_GATEWAY_PORT: String(gateway.port) } });
  await writeFile(join(service.stateDir, 'openclaw.json'), JSON.stringify({ ...QUIET_CONFIG, gateway: { port: gateway.port, auth: { mode: 'none' } } }));
  await mkdir(join(world, '.config', 'clawbar'), { recursive: true });
  await writeFile(join(world, '.config', 'clawbar', 'config.json'), JSON.stringify({
    ntpServer: `127.0.0.1:${sntp.port}`,
    // The probe suite's dead managed proxy (QUIET_CONFIG) fails the ClawHub target on purpose: not a page for an idle node.
    paging: { heartbeatUrl: receiver.url('/beat'), checks: { egress: { enabled: false } }, notifiers: [{ kind: 'webhook', url: receiver.url('/hook') }] },
  }));
  const statePath = join(world, '.local', 'state', 'clawbar', 'watch-state.json');
  const start = async () => {
    const peer = new Peer({ name: 'bench-watch', command: process.execPath, args: [...NODE_FLAGS, CLI, 'watch'], env: { HOME: world, PATH: process.env.PATH } });
    await peer.start();
    await waitFor('the watcher state', async () => (await readFile(statePath, 'utf8').catch(() => '')).includes('"gateway"'), 60_000);
    return peer;
  };
  // launchd's KeepAlive restarts find Node's compile cache filled by the first start; measure that steady case.
  await (await start()).stop();
  const watcher = await start();
  stops.push(() => watcher.stop());
  const pid = watcher.pid!;
  console.log(`clawbar watch ${NODE_FLAGS.join(' ')} (pid ${pid}) on a live gateway at default schedules; settling ${SETTLE_MS / 1000} s, then measuring ${WINDOW_MS / 1000} s`);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const before = await cpu(pid);
  const beatsBefore = receiver.on('/beat').length;
  const started = performance.now();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
  let quietCpu = 0;
  let quietMs = 0;
  while (performance.now() - started < WINDOW_MS - CYCLE_MS) {
    // A heartbeat marks the end of a cycle's health check; the quiet part of the cycle follows it.
    const seen = receiver.on('/beat').length;
    await waitFor('the next heartbeat', async () => receiver.on('/beat').length > seen, 2 * CYCLE_MS, 100);
    const beatAt = receiver.on('/beat').at(-1)!.at;
    await sleep(beatAt + 5_000 - Date.now());
    const from = await cpu(pid);
    const t0 = performance.now();
    await sleep(beatAt + CYCLE_MS - 10_000 - Date.now());
    quietCpu += (await cpu(pid)).own - from.own;
    quietMs += performance.now() - t0;
  }
  await sleep(started + WINDOW_MS - performance.now());
  const hours = (performance.now() - started) / 3_600_000;
  const after = await cpu(pid);
  const mem = await memory(pid);
  const children = await childrenRss(pid);
  const own = (after.own - before.own) / hours;
  const all = own + (after.children - before.children) / hours;
  const quiet = quietCpu / (quietMs / 3_600_000);
  console.log(`  heartbeats in the window: ${receiver.on('/beat').length - beatsBefore}, pages: ${receiver.on('/hook').length}`);
  console.log(`  CPU all in: ${own.toFixed(2)} s/hour in the watcher, ${all.toFixed(2)} s/hour with its children (lsof, probe child)`);
  // /proc counts in 10 ms ticks: no tick at all means less than one tick over the quiet time measured.
  const bound = quietCpu === 0 ? ` (not one 10 ms tick: under ${(0.01 / (quietMs / 3_600_000)).toFixed(2)} s/hour)` : '';
  console.log(`  CPU between checks: ${quiet.toFixed(2)} s/hour over ${(quietMs / 1000).toFixed(0)} s of quiet cycle time${bound}`);
  console.log(`  memory: RSS ${mem.rss.toFixed(1)} MB now, ${mem.peak.toFixed(1)} MB at its peak (start-up and the first probe run included)`);
  console.log(`  processes it keeps between checks: ${children.count}, ${children.rss.toFixed(1)} MB resident`);
  verdict('watcher CPU between checks (ms per hour)', quiet * 1000, { max: 2000, unit: 'ms' });
  verdict('watcher CPU all in, checks included (ms per hour)', own * 1000, { max: 2000, unit: 'ms' });
  verdict('watcher resident memory between checks', mem.rss, { max: 60, unit: 'MB' });
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await rm(root, { recursive: true, force: true });
}
