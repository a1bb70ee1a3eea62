import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mock } from 'node:test';
import { Agent } from '../../main/agent/agent.ts';
import type { AgentState } from '../../main/ipc-contract.ts';
import { Settings } from '../../main/settings.ts';
import { createExecutor } from '../../main/system/exec.ts';
import { QUIET_CONFIG } from '../peers/openclaw.ts';
import { startSntpServer } from '../peers/sntp-server.ts';
import { makeHome, writeService } from './world.ts';

/** Work the agent did, counted where it reaches the world. */
export interface Work {
  commands: number;
  gatewayRequests: number;
  /** The health check's own samples (the probes' requests to /health are not among them). */
  healthSamples: number;
  sntpQueries: number;
  probeRuns: number;
}

export interface AgentDay {
  agent: Agent;
  work(): Work;
  /** Timers (setTimeout/setInterval) set and neither fired nor cleared. */
  liveTimers(): number;
  /** Where each live timer was set, for a failure message. */
  timerOrigins(): string[];
  /** Listeners on the agent's own events and on `process`. */
  listeners(): number;
  /** Simulated milliseconds since the day began. */
  now(): number;
  /** Lets `ms` of simulated time pass, timer by timer, each firing's work done in real time before the next. */
  advance(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/** Real time with nothing happening after which the agent counts as idle and the clock may jump to the next timer. */
const QUIET_MS = 2;
/** Real time a check may wait for a timer of its own (a resolver timeout, a debounce) before the clock is moved for it. */
const STUCK_MS = 250;
/** Real time after which a check that neither progresses nor waits on a timer is a failure of the simulation. */
const HOPELESS_MS = 60_000;

/** Resources whose presence means I/O is under way: file operations, lookups, commands still starting or exiting. */
const IN_FLIGHT = /^(FSReq|FileHandle|GetAddrInfo|GetNameInfo|Shutdown|Write|ProcessWrap|Query)/;

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * An agent with every schedule at its default, on loopback: a stand-in
 * gateway (health, readiness, start-up, WebSocket upgrade), an SNTP server,
 * the service files OpenClaw installs (config with its egress parked on a
 * dead loopback proxy) — and node:test's mock timers, so a day passes in
 * seconds. Commands, gateway requests, SNTP queries and probe runs are
 * counted where they leave the agent; the timers it holds are tracked.
 */
export async function startAgentDay(): Promise<AgentDay> {
  const counts = { commands: 0, commandsRunning: 0, gatewayRequests: 0, gatewayOpen: 0, healthSamples: 0, progress: 0, states: 0 };
  const upgraded = new Set<Socket>();
  const gateway = createServer((req, res) => {
    counts.gatewayRequests++;
    counts.gatewayOpen++;
    if (req.url === '/health' && req.headers['user-agent']?.startsWith('clawbar-health')) counts.healthSamples++;
    res.on('close', () => { counts.gatewayOpen--; });
    res.setHeader('content-type', 'application/json');
    res.end(req.url === '/readyz' ? '{"ready":true,"failing":[],"uptimeMs":5000}' : req.url === '/startupz' ? '{"ok":true,"version":"2026.9.6"}' : '{"ok":true}');
  });
  gateway.on('upgrade', (req, socket: Socket) => {
    counts.gatewayRequests++;
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    socket.on('error', () => socket.destroy());
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${WS_GUID}`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.on('data', () => socket.end());
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  const port = (gateway.address() as AddressInfo).port;
  const sntp = await startSntpServer({ offsetMs: 0 });
  const { home, cleanup } = await makeHome('clawbar-day-');
  const service = await writeService(home, { port, env: { HOME: home, OPENCLAW_GATEWAY_PORT: String(port) } });
  await writeFile(join(service.stateDir, 'openclaw.json'), JSON.stringify({ ...QUIET_CONFIG, gateway: { port, bind: 'loopback', auth: { mode: 'none' } } }));

  const shellEnv = { HOME: home, PATH: process.env.PATH };
  const real = createExecutor(shellEnv);
  const exec: typeof real = async (command, args, options) => {
    counts.commands++;
    counts.commandsRunning++;
    try { return await real(command, args, options); } finally { counts.commandsRunning--; }
  };

  // Mocked after the servers are up, so only the agent's own timers are simulated.
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  let simNow = 0;
  const due = new Map<unknown, number>();
  const origins = new WeakMap<object, string>();
  const mocked = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout, setInterval: globalThis.setInterval, clearInterval: globalThis.clearInterval };
  globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const timer = mocked.setTimeout((...a: unknown[]) => { due.delete(timer); fn(...a); }, ms, ...args);
    due.set(timer, simNow + Math.max(1, ms ?? 0));
    origins.set(timer, new Error(`setTimeout(…, ${ms})`).stack!.split('\n').slice(2, 7).join('\n'));
    return timer;
  }) as typeof setTimeout;
  globalThis.setInterval = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const period = Math.max(1, ms ?? 0);
    const timer = mocked.setInterval((...a: unknown[]) => { due.set(timer, simNow + period); fn(...a); }, ms, ...args);
    due.set(timer, simNow + period);
    origins.set(timer, new Error(`setInterval(…, ${ms})`).stack!.split('\n').slice(2, 7).join('\n'));
    return timer;
  }) as typeof setInterval;
  globalThis.clearTimeout = ((timer: NodeJS.Timeout | undefined) => { due.delete(timer); mocked.clearTimeout(timer); }) as typeof clearTimeout;
  globalThis.clearInterval = ((timer: NodeJS.Timeout | undefined) => { due.delete(timer); mocked.clearInterval(timer); }) as typeof clearInterval;
  const tick = (ms: number) => {
    simNow += ms;
    mock.timers.tick(ms);
  };

  const agent = new Agent({ settings: Settings.parse({ ntpServer: `127.0.0.1:${sntp.port}` }), home, shellEnv, exec });
  const probes = new Set<string>();
  let state: AgentState | null = null;
  agent.on('state', (s) => {
    counts.states++;
    state = s;
    if (s.lastProbe) probes.add(s.lastProbe.traceId);
  });
  agent.on('progress', () => { counts.progress++; });
  const fingerprint = () => `${counts.commands}/${counts.commandsRunning}/${counts.gatewayRequests}/${counts.gatewayOpen}/${sntp.requests()}/${counts.progress}/${counts.states}`;
  const ioUnderWay = () => counts.commandsRunning > 0 || counts.gatewayOpen > 0 || process.getActiveResourcesInfo().some((r) => IN_FLIGHT.test(r));
  const nextDue = () => Math.min(...due.values());

  async function advance(ms: number): Promise<void> {
    const end = simNow + ms;
    let last = fingerprint();
    let since = performance.now();
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      const now = fingerprint();
      if (now !== last) {
        last = now;
        since = performance.now();
        continue;
      }
      const still = performance.now() - since;
      const busy = (state as AgentState | null)?.busy ?? [];
      const probing = busy.includes('probes');
      // A probe child works in real time (its only timer here is the parent's kill switch): never move the clock under it.
      if (still < QUIET_MS || ioUnderWay() || probing || (busy.length > 0 && still < STUCK_MS)) {
        if (still > HOPELESS_MS) throw new Error(`the agent made no progress for ${HOPELESS_MS} ms (busy: ${busy.join(', ') || 'nothing'})`);
        continue;
      }
      const next = nextDue();
      if (next > end) {
        // Busy with no timer of its own due: it waits on the world in real time (a socket's idle timeout, say).
        if (busy.length > 0) {
          if (still > HOPELESS_MS) throw new Error(`the agent is busy (${busy.join(', ')}) and waits for nothing before ${end} ms; resources: ${process.getActiveResourcesInfo().join(', ')}`);
          continue;
        }
        tick(end - simNow);
        return;
      }
      tick(Math.max(0, next - simNow));
      since = performance.now();
    }
  }

  await agent.start();
  return {
    agent,
    work: () => ({ commands: counts.commands, gatewayRequests: counts.gatewayRequests, healthSamples: counts.healthSamples, sntpQueries: sntp.requests(), probeRuns: probes.size }),
    liveTimers: () => due.size,
    timerOrigins: () => [...due.keys()].map((timer) => origins.get(timer as object) ?? 'unknown'),
    listeners: () => agent.eventNames().reduce((n, name) => n + agent.listenerCount(name), 0)
      + process.eventNames().reduce((n, name) => n + process.listenerCount(name), 0),
    now: () => simNow,
    advance,
    async stop() {
      await agent.stop();
      Object.assign(globalThis, mocked);
      mock.timers.reset();
      for (const socket of upgraded) socket.destroy();
      gateway.closeAllConnections();
      await new Promise((resolve) => gateway.close(resolve));
      await sntp.stop();
      await cleanup();
    },
  };
}
