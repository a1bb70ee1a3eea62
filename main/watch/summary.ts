import { notifierName } from '../paging/bodies.ts';
import type { Settings } from '../settings-schema.ts';
import { readPause, type Pause } from '../store/maintenance.ts';
import type { World } from '../world.ts';
import { installedJob, jobState } from './launchd-job.ts';
import { liveWatcher } from './owner.ts';

export interface WatcherSummary {
  /** The launchd job, when one is installed. */
  job: { kind: 'agent' | 'daemon'; plistPath: string; launchd: string | null; pid: number | null } | null;
  running: boolean;
  pid: number | null;
  startedAt: string | null;
  /** When the watcher last wrote its state (every check it runs). */
  updatedAt: string | null;
  paused: Pause | null;
  firing: Array<{ key: string; since: string | null }>;
  notifiers: string[];
  heartbeat: boolean;
}

/**
 * The watcher as files show it (lock, state, pause, job plist); with
 * `launchd`, also what launchctl says about the job (`watch status` asks,
 * `clawbar status` does not spend the time).
 */
export async function watcherSummary(world: World, settings: Settings, options: { launchd?: boolean } = {}): Promise<WatcherSummary> {
  const now = world.now();
  const [live, paused, job] = await Promise.all([liveWatcher(world.files, now), readPause(world.files.watchPause, now), installedJob(world)]);
  let launchd: { launchd: string | null; pid: number | null } = { launchd: null, pid: null };
  if (job && options.launchd) {
    const state = await jobState(world, job);
    launchd = state.status === 'loaded' ? { launchd: state.job.running ? 'running' : 'loaded, not running', pid: state.job.pid } : { launchd: state.status, pid: null };
  }
  const state = live?.state ?? null;
  return {
    job: job ? { kind: job.kind, plistPath: job.plistPath, ...launchd } : null,
    running: live !== null,
    pid: live?.pid ?? null,
    startedAt: state?.startedAt ?? null,
    updatedAt: state?.updatedAt ?? null,
    paused,
    firing: state?.firing ?? [],
    notifiers: state?.notifiers ?? settings.paging.notifiers.map(notifierName),
    heartbeat: settings.paging.heartbeatUrl !== null,
  };
}

const ago = (iso: string | null, now: Date) => (iso ? `${Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000))} s ago` : 'not yet');

/** One line for `clawbar status`: who watches this gateway, and where its pages go. */
export function watcherLine(s: WatcherSummary, now: Date): string {
  const job = s.job ? `${s.job.kind === 'daemon' ? 'LaunchDaemon' : 'LaunchAgent'} installed` : 'no launchd job';
  const state = s.running ? `running (pid ${s.pid}, last check ${ago(s.updatedAt, now)})` : 'not running';
  const pages = s.notifiers.length ? `pages to ${s.notifiers.join(', ')}` : 'no notifiers';
  const extra = [s.heartbeat ? 'heartbeat on' : null, s.paused ? `paused until ${s.paused.until}` : null, s.firing.length ? `firing: ${s.firing.map((f) => f.key).join(', ')}` : null].filter(Boolean);
  return `${state}, ${job}, ${pages}${extra.length ? `; ${extra.join('; ')}` : ''}`;
}
