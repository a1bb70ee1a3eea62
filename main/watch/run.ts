import { rm } from 'node:fs/promises';
import { Agent } from '../agent/agent.ts';
import { notifierName } from '../paging/bodies.ts';
import type { Session } from '../session/session.ts';
import { acquireLock, releaseLock } from '../store/watch-files.ts';

/** A second watcher (another terminal, or launchd restarting one) looks for the lock this often, and takes over when it is free. */
const STANDBY_MS = 15_000;

export interface RunOptions {
  session: Session;
  plist?: string;
  /** One line for the operator (stderr: the job's log under launchd). */
  say: (line: string) => void;
  /** Aborted on SIGTERM / SIGINT. */
  signal: AbortSignal;
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  const timer = setTimeout(done, ms);
  function done() { clearTimeout(timer); signal.removeEventListener('abort', done); resolve(); }
  signal.addEventListener('abort', done);
});

/**
 * `clawbar watch`: the agent's schedules in this process, without Electron,
 * with the app's settings file. It takes the per-user lock first (one owner
 * of the schedules: the app shows this watcher's state instead of running
 * its own), waits in standby while another watcher holds it, and on SIGTERM
 * stops its checks, flushes what it can of its pages and gives the lock back.
 */
export async function runWatcher(options: RunOptions): Promise<number> {
  const { session, signal } = options;
  const { world, keeper } = session;
  const lock = { pid: process.pid, startedAt: world.now().toISOString() };
  let taken = await acquireLock(world.files.watchLock, lock);
  if (!taken.ok) options.say(`another watcher runs (pid ${taken.holder.pid}); standing by to take over`);
  while (!taken.ok && !signal.aborted) {
    await sleep(STANDBY_MS, signal);
    if (!signal.aborted) taken = await acquireLock(world.files.watchLock, lock);
  }
  if (!taken.ok) return 0;
  let agent: Agent | null = null;
  const say = (line: string) => options.say(agent ? agent.session.world.redactor.text(line) : world.redactor.text(line));
  try {
    const settings = await session.settings();
    agent = new Agent({ settings, role: 'watcher', plistPath: options.plist, shellEnv: world.env, home: world.home, exec: world.exec, now: world.now, say });
    const notifiers = settings.paging.notifiers.map(notifierName);
    await keeper.logWatch({ event: 'start', pid: process.pid, plist: options.plist ?? null, notifiers, heartbeat: settings.paging.heartbeatUrl !== null });
    await agent.start();
    const service = agent.service?.facts.service?.plistPath ?? 'no gateway service found yet';
    say(`watching ${service} (pid ${process.pid}); pages to ${notifiers.length ? notifiers.join(', ') : 'no notifiers'}${settings.paging.heartbeatUrl ? ', heartbeat on' : ''}${settings.egress.sample ? `; egress sampled every ${settings.egress.intervalSec} s` : ''}`);
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    say('stopping');
    return 0;
  } finally {
    await agent?.stop();
    await keeper.logWatch({ event: 'stop', pid: process.pid }).catch(() => undefined);
    await rm(world.files.watchState, { force: true });
    await releaseLock(world.files.watchLock, process.pid);
  }
}
