import type { Finding } from '../contract.ts';
import { composeStatus } from '../glance/status.ts';
import type { AgentState } from '../ipc-contract.ts';
import { Pager } from '../paging/pager.ts';
import { pagingSecrets } from '../paging/bodies.ts';
import type { Settings } from '../settings-schema.ts';
import { Periodic } from '../system/periodic.ts';
import { ConfigWatch, type Watched } from './config-watch.ts';
import { noticesBetween, liveWatcher, type LiveWatcher } from './owner.ts';
import { Maintenance, WatcherRecord } from './record.ts';
import { changeLine, describeChange } from './change-summary.ts';
import type { AgentPort, Recheck } from './port.ts';

const RECHECKS: readonly string[] = ['health', 'listeners', 'clock', 'service', 'probes'];

/** How often the app looks for a watcher that took over, or went away. */
const FOLLOW_MS = 5_000;
/** A config change often restarts the gateway (OpenClaw's hybrid reload): look again once it had time to come back. */
const AFTER_CHANGE_MS = 60_000;

/**
 * What turns the agent into a guardian: pages (the pager), config-change
 * re-verification, and the one-owner rule — the watcher writes its state for
 * the app; the app, while a watcher runs, shows that state and keeps its own
 * schedules stopped, and takes them back when the watcher goes.
 */
export class AgentExtras {
  readonly pager: Pager;
  following = false;
  private followed: LiveWatcher | null = null;
  private follow: Periodic | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly confirming = new Set<string>();
  /** One look per sample or probe run: a second look soon and the schedule may join the same run. */
  private readonly looked = new Map<string, unknown>();
  private queue: Promise<void> = Promise.resolve();
  private published = false;
  /** Page-log lines still being appended; stop waits for them, so the last word of a stopping watcher is on disk. */
  private readonly writes = new Set<Promise<void>>();
  private readonly config: ConfigWatch;
  private readonly record: WatcherRecord;
  private readonly port: AgentPort;

  constructor(port: AgentPort) {
    this.port = port;
    const { world, keeper } = port.session;
    this.record = new WatcherRecord(port);
    const maintenance = new Maintenance();
    this.pager = new Pager({
      now: world.now, redact: (value) => world.redactor.deep(value),
      log: (record) => {
        const write = keeper.logPage(record).catch(() => undefined).finally(() => this.writes.delete(write));
        this.writes.add(write);
        if (record.event === 'page' || record.outcome === 'gave-up') port.say?.(`page ${String(record.transition ?? record.event)} ${String(record.check)}: ${String(record.outcome)}${record.error ? ` (${String(record.error)})` : ''}`);
      },
      net: () => { const s = port.service(); return s ? { env: s.env, managedProxy: s.managedProxy } : null; },
      maintenance: (state) => maintenance.reason(world.files, world.now(), state, port.fixing()),
      loadTracks: () => this.record.loadTracks(), saveTracks: (tracks) => this.record.saveTracks(tracks),
    });
    this.config = new ConfigWatch({ debounceMs: () => port.settings().watch.configDebounceSec * 1000, settle: (changed) => this.settle(changed) });
  }

  /** New settings: the pager's notifiers, and their secrets for the redactor before anything can print them. */
  configure(settings: Settings): void {
    this.port.session.world.redactor.add(...pagingSecrets(settings.paging.notifiers, settings.paging.heartbeatUrl));
    this.pager.configure(settings);
    if (this.port.role === 'watcher') void this.record.tightenSettings(settings);
  }

  /** Whether this agent owns the schedules now; the app starts following a running watcher. */
  async start(): Promise<boolean> {
    if (this.port.role !== 'app') return true;
    this.followed = await liveWatcher(this.port.session.world.files, this.port.session.world.now());
    this.following = this.followed !== null;
    this.follow = new Periodic(FOLLOW_MS, () => this.checkOwner());
    this.follow.start(true);
    return !this.following;
  }

  private async checkOwner(): Promise<void> {
    const live = await liveWatcher(this.port.session.world.files, this.port.session.world.now()).catch(() => null);
    if (!live && this.following) {
      this.following = false;
      this.followed = null;
      this.pager.reload();
      this.port.own();
      this.port.publish();
      return;
    }
    if (!live) return;
    const previous = this.following ? this.followed?.state?.state ?? null : this.port.ownState();
    if (!this.following) {
      this.following = true;
      this.clearTimers();
      await this.port.disown();
    }
    this.followed = live;
    if (live.state) for (const notice of noticesBetween(previous, live.state.state)) this.port.notify(notice);
    this.port.publish();
  }

  /** What getState shows: the watcher's state while following it, else the agent's own. */
  shown(own: AgentState): AgentState {
    const watcher = this.following ? this.followed : null;
    if (watcher?.state) return { ...watcher.state.state, firstRun: own.firstRun, owner: { kind: 'watcher', pid: watcher.pid, since: watcher.state.startedAt, pausedUntil: watcher.state.paused?.until ?? null } };
    if (watcher) return { ...own, owner: { kind: 'watcher', pid: watcher.pid, since: own.updatedAt, pausedUntil: null } };
    return { ...own, owner: { kind: this.port.role, pid: process.pid, since: this.record.startedAt, pausedUntil: this.record.pausedUntil } };
  }

  /** After every run of an agent check: the watcher's state file, the pager, the heartbeat, a prompt second look. Never awaited by the check. */
  checked(id: string): Promise<void> {
    // One at a time, in the order the checks finished, so two looks never interleave in the debounce.
    const next = this.queue.then(() => this.look(id));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async look(id: string): Promise<void> {
    if (this.following) return;
    try {
      const state = this.port.ownState();
      if (this.port.role === 'watcher') this.record.writeSoon(this.pager, state);
      if (!this.published && state.gateway && state.listeners && state.clock) {
        this.published = true;
        void this.port.publishFleet();
      }
      if (!this.pager.active) return;
      const run = id === 'health' ? this.port.lastSampleAt() : id === 'probes' ? state.lastProbe?.traceId ?? null : undefined;
      if (run !== undefined) {
        if (run === null || this.looked.get(id) === run) return;
        this.looked.set(id, run);
      }
      const fixFindings = id === 'service' ? await this.fixFindings(state) : [];
      const unsettled = await this.pager.checked(id, state, fixFindings);
      if (id === 'health') this.pager.cycle();
      if (unsettled && RECHECKS.includes(id) && !this.confirming.has(id)) {
        this.confirming.add(id);
        this.later(this.port.settings().paging.confirmAfterSec * 1000, () => { this.confirming.delete(id); return this.port.recheck(id as Recheck); });
      }
    } catch (error) {
      this.port.say?.(`paging: ${(error as Error).message}`);
    }
  }

  /** The recorded fixes checked against the service (`fix.reverted`), which only a status look computes. */
  private async fixFindings(state: AgentState): Promise<Finding[]> {
    const service = this.port.service();
    if (!service || !state.gateway || !state.listeners || !state.clock) return [];
    const status = composeStatus({ health: state.gateway, listeners: state.listeners, clock: state.clock }, this.port.settings());
    return (await this.port.session.withFixWatch(service, status)).findings.filter((f) => f.id.startsWith('fix.'));
  }

  /** The agent's 'config' check: one look at the files; a change settles after the debounce. */
  async pollConfig(): Promise<void> {
    if (this.following) return;
    const facts = this.port.service()?.facts;
    const files: Watched[] = [];
    if (facts?.gateway.configPath) files.push({ role: 'config', path: facts.gateway.configPath });
    if (facts?.service?.plistPath) files.push({ role: 'plist', path: facts.service.plistPath });
    if (facts?.service?.envFilePath) files.push({ role: 'envFile', path: facts.service.envFilePath });
    // The shared settings file too, in the app as in the watcher: an editor's change (Open Settings File) is in force without a restart.
    files.push({ role: 'settings', path: this.port.session.world.files.settings });
    await this.config.poll(files);
  }

  /** A change settled: read the service again, log what changed, then listeners, health and the probe suite, and once more a minute later. */
  private async settle(changed: Watched[]): Promise<void> {
    if (changed.some((f) => f.role === 'settings')) await this.record.reloadSettings();
    const service = changed.filter((f) => f.role !== 'settings');
    if (service.length === 0 || this.following) return;
    const before = this.port.service();
    await this.port.recheck('service');
    const summary = describeChange(service, before, this.port.service());
    await this.port.session.keeper.logWatch({ event: 'config-change', ...summary, line: changeLine(summary) }).catch(() => undefined);
    this.port.say?.(changeLine(summary));
    await Promise.all([this.port.recheck('listeners'), this.port.recheck('health')]);
    void this.port.recheck('probes');
    this.later(AFTER_CHANGE_MS, () => Promise.all([this.port.recheck('listeners'), this.port.recheck('health')]));
  }

  private later(ms: number, task: () => Promise<unknown>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.following) void task().catch(() => undefined);
    }, ms);
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.confirming.clear();
  }

  /** Asleep: no owner checks, no second looks. */
  async pause(): Promise<void> {
    this.clearTimers();
    await this.follow?.stop();
  }

  resume(): void {
    this.follow?.start(false);
  }

  async stop(): Promise<void> {
    this.clearTimers();
    await this.follow?.stop();
    await this.config.stop();
    await this.record.stop();
    await this.pager.stop();
    await Promise.all([...this.writes]);
  }
}
