import { isDeepStrictEqual } from 'node:util';
import type { AgentState } from '../ipc-contract.ts';
import { notifierName } from '../paging/bodies.ts';
import type { Track } from '../paging/debounce.ts';
import type { Pager } from '../paging/pager.ts';
import type { Settings } from '../settings-schema.ts';
import { readFixWindow, readPause } from '../store/maintenance.ts';
import { readPagerState, writePagerState, writeWatchState } from '../store/watch-files.ts';
import type { WorldFiles } from '../world.ts';
import type { AgentPort } from './port.ts';
import { privateSettings } from './settings-mode.ts';

/** The watcher's state file is rewritten at most this often (every check ends with a write request). */
const WRITE_EVERY_MS = 1_000;
/** OpenClaw reporting itself starting or draining holds pages back this long at most: a gateway stuck starting is an outage. */
const STARTING_GRACE_MS = 600_000;

/**
 * Why pages are held back now: the operator's pause, a clawbar fix
 * restarting the gateway (its audit records, or the app's own fix in
 * progress), or OpenClaw saying it is starting or draining (for a while).
 */
export class Maintenance {
  private startingSince: number | null = null;

  async reason(files: Pick<WorldFiles, 'watchPause' | 'fixWindow'>, now: Date, state: AgentState, fixing: boolean): Promise<string | null> {
    const [pause, fix] = await Promise.all([readPause(files.watchPause, now), readFixWindow(files.fixWindow, now)]);
    if (pause) return `paused until ${pause.until}${pause.reason ? `: ${pause.reason}` : ''}`;
    if (fix) return `clawbar fix ${fix.fixId} (${fix.kind}) is restarting the gateway`;
    if (fixing) return 'a clawbar fix is restarting the gateway';
    const failing = state.gateway?.failing ?? [];
    const phase = failing.includes('gateway-draining') ? 'draining' : failing.includes('startup-sidecars') ? 'starting' : null;
    if (!phase) {
      this.startingSince = null;
      return null;
    }
    this.startingSince ??= now.getTime();
    return now.getTime() - this.startingSince < STARTING_GRACE_MS ? `OpenClaw reports the gateway ${phase}` : null;
  }
}

/**
 * What the watcher keeps for others: its state for the app and `clawbar
 * status` (throttled), the pager's tracks, and its settings file — private
 * whenever it holds paging secrets, and read again when it changes.
 */
export class WatcherRecord {
  readonly startedAt: string;
  pausedUntil: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private lastWrite = 0;
  private latest: AgentState | null = null;
  private readonly port: AgentPort;

  constructor(port: AgentPort) {
    this.port = port;
    this.startedAt = port.session.world.now().toISOString();
  }

  private get files() { return this.port.session.world.files; }

  loadTracks(): Promise<Record<string, Track>> {
    return readPagerState<Track>(this.files.pagerState);
  }

  saveTracks(tracks: Record<string, Track>): Promise<void> {
    return writePagerState(this.files.pagerState, tracks);
  }

  /** Writes `state` (the latest wins) within WRITE_EVERY_MS. */
  writeSoon(pager: Pager, state: AgentState): void {
    this.latest = state;
    if (this.timer || this.writing) return;
    const wait = Math.max(0, this.lastWrite + WRITE_EVERY_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.lastWrite = Date.now();
      this.writing = this.write(pager).catch((error: Error) => this.port.say?.(`cannot write the watcher state: ${error.message}`)).finally(() => { this.writing = null; });
    }, wait);
  }

  private async write(pager: Pager): Promise<void> {
    const now = this.port.session.world.now();
    const paused = await readPause(this.files.watchPause, now);
    this.pausedUntil = paused?.until ?? null;
    const settings = this.port.settings();
    await writeWatchState(this.files.watchState, {
      schema: 'clawbar.watch-state/1', pid: process.pid, startedAt: this.startedAt, updatedAt: now.toISOString(), cycleMs: this.port.cycleMs(),
      plistPath: this.port.service()?.facts.service?.plistPath ?? null, paused, firing: pager.firing(),
      notifiers: settings.paging.notifiers.map(notifierName), state: this.latest ?? this.port.ownState(),
    });
  }

  /** A settings file holding webhook URLs or credentials is made 0600, and the change logged. */
  async tightenSettings(settings: Settings): Promise<void> {
    const path = this.files.settings;
    await privateSettings(path, settings).then(
      (from) => (from ? this.port.session.keeper.logWatch({ event: 'settings-mode', path, from, to: '0600', why: 'it holds paging secrets' }) : undefined),
      (error: Error) => this.port.say?.(`cannot make ${path} private: ${error.message}`),
    );
  }

  /** The settings file changed: apply it, or keep the running settings when it no longer parses (and say so); the app's agent too. */
  async reloadSettings(): Promise<void> {
    const { keeper } = this.port.session;
    try {
      const settings = await this.port.session.settings();
      // Already in force (the app's own save, or a change of layout only): nothing to reload.
      if (isDeepStrictEqual(settings, this.port.settings())) return;
      await this.port.applySettings(settings);
      await keeper.logWatch({ event: 'settings-reloaded' });
      this.port.say?.('settings reloaded');
    } catch (error) {
      await keeper.logWatch({ event: 'settings-invalid', error: (error as Error).message, kept: 'the settings in force before the change' });
      this.port.say?.(`settings not reloaded: ${(error as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.writing;
  }
}
