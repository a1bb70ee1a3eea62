import { EventEmitter } from 'node:events';
import type { ClockReport, EnvReport, Finding, FixBundleSummary, FixOutcome, FixStep, HealthReport, ListenersReport, ProbeReport } from '../contract.ts';
import { HealthScheduler } from '../glance/health.ts';
import type { AgentState, FixRequest, History, Notice, Progress } from '../ipc-contract.ts';
import { envView } from '../report/env-report.ts';
import { reportMarkdown } from '../report/report-markdown.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import { gatewayLogHistory } from '../session/gateway-log-history.ts';
import { Session } from '../session/session.ts';
import { Settings } from '../settings-schema.ts';
import { FirstRun } from '../store/first-run.ts';
import type { Executor } from '../system/exec.ts';
import { Periodic } from '../system/periodic.ts';
import { buildWorld, type Env } from '../world.ts';
import { FleetSignals, statusFromGlance, type Glance } from './fleet.ts';
import { withService } from './fixes.ts';
import { EgressSampler } from './egress.ts';
import { clockNotice, healthNotice, listenerNotices } from './notices.ts';
import { ProbeRuns } from './probing.ts';
import { snapshot } from './snapshot.ts';
import { AgentExtras } from '../watch/extras.ts';

export interface AgentIntervals { healthMs: number; listenersMs: number; clockMs: number; probesMs: number; serviceMs: number; configMs: number; egressMs: number }

export interface AgentOptions {
  settings: Settings;
  home?: string;
  plistPath?: string;
  exec?: Executor;
  now?: () => Date;
  /** The operator's environment (the app's own): PATH, and the shell the daemon is compared with. */
  shellEnv?: Env;
  /** Tests shorten the settings' intervals. */
  intervals?: Partial<AgentIntervals>;
  probeTimeoutMs?: number;
  /** 'watcher' when run headless by `clawbar watch`; the app's agent ('app') defers to a running watcher. */
  role?: 'app' | 'watcher';
  /** One line for the watcher's log (pages, config changes); the app passes none. */
  say?: (line: string) => void;
}

/** The agent's events, declared once; the app's wiring and the tests derive their types from these. */
export interface AgentEvents {
  state: [AgentState];
  progress: [Progress];
  notify: [Notice];
  settings: [Settings];
}

type Busy = AgentState['busy'][number];
type CheckId = Busy | 'metrics' | 'config' | 'gateway-log' | 'egress-sample' | 'upgrades';

/**
 * One scheduled check: how often, whether it runs at once or after its
 * interval (at start and after a wake), and what it does. Every run goes
 * through `track`, so a failure of any check becomes a finding in the app.
 */
interface Check {
  id: CheckId;
  intervalMs: number;
  first: 'now' | 'later';
  onWake: 'now' | 'later';
  /** Shown as busy in the UI while it runs (not the quick ones that run every few seconds). */
  busy: boolean;
  run: () => Promise<unknown>;
}

/** The service files change rarely; reading them every five minutes catches drift without cost. */
const SERVICE_INTERVAL_MS = 300_000;

/**
 * The app's state owner: runs the checks of its table on their schedules
 * through the session (which keeps what is kept), derives the tray's lines
 * and colour, and emits 'state' when anything shown changed, 'notify' when a
 * state changed in a way worth interrupting for, and 'progress' during long
 * operations. Events and getState() are exits: they pass the world's
 * redactor. No Electron here: main/app wires the events, and the E2E tests
 * drive the very same object.
 */
export class Agent extends EventEmitter<AgentEvents> {
  readonly options: AgentOptions;
  readonly session: Session;
  settings: Settings;
  service: ServiceEnvironment | null = null;
  private health: HealthScheduler | null = null;
  private healthReport: HealthReport | null = null;
  private listenerReport: ListenersReport | null = null;
  private clock: ClockReport | null = null;
  private fixFindings: Finding[] = [];
  private readonly busy = new Set<Busy>();
  private readonly failures = new Map<string, string>();
  /** Each scheduled check's loop, with the interval it was started with. */
  private loops = new Map<CheckId, { loop: Periodic; intervalMs: number }>();
  /** Loops replaced after new settings, finishing a run in flight; stopping waits for them. */
  private readonly retiring = new Set<Promise<void>>();
  private running = false;
  private paused = false;
  private lastEmitted = '';
  /** The state publish() last computed: what a check just produced, without redacting it all again. */
  private published: AgentState | null = null;
  private readonly firstRun: FirstRun;
  private readonly fleet: FleetSignals;
  /** Pages, config-change re-verification and the one-owner rule (main/watch/extras.ts). */
  private readonly extras: AgentExtras;
  /** Scheduled, asked-for and upgrade-comparison probe runs, one queue, and the last run of each world (main/agent/probing.ts). */
  private readonly probes: ProbeRuns;
  /** The watcher's egress samples, and whether lsof could look (main/agent/egress.ts). */
  private readonly egress: EgressSampler;

  constructor(options: AgentOptions) {
    super();
    this.options = options;
    this.settings = Settings.parse(options.settings);
    this.session = new Session(buildWorld({ env: options.shellEnv ?? process.env, home: options.home, exec: options.exec, now: options.now }));
    this.firstRun = new FirstRun(this.session.world.files.firstRun);
    this.fleet = new FleetSignals(this.session, options.role === 'watcher' ? 'watch' : 'app');
    this.probes = new ProbeRuns({
      session: this.session, timeoutMs: options.probeTimeoutMs ?? 8_000, service: () => this.watched(),
      readService: async () => { if (!this.service) await this.track('service', true, () => this.loadService()); return this.watched(); },
      busy: (on) => { if (on) this.busy.add('probes'); else this.busy.delete('probes'); this.publish(); },
      notKept: (message) => { this.failures.set('probes', message); this.publish(); },
      progress: (progress) => this.emitSafe('progress', progress), notify: (notice) => this.notify(notice), say: options.say,
    });
    this.egress = new EgressSampler(this.session, options.say);
    this.extras = new AgentExtras({
      role: options.role ?? 'app', session: this.session, settings: () => this.settings, service: () => this.service, ownState: () => this.published ?? this.ownState(),
      fixing: () => this.busy.has('fix'), recheck: (check) => (check === 'probes' ? this.track('probes', false, () => this.probes.runAndKeep()) : this.refresh(check).then(() => undefined)),
      own: () => { if (this.running && !this.paused) this.startLoops(true); }, disown: () => this.stopLoops(), publish: () => this.publish(),
      notify: (notice) => this.notify(notice), applySettings: (settings) => this.updateSettings(settings), cycleMs: () => this.intervals.healthMs, say: options.say,
      lastSampleAt: () => this.health?.tracker.samples.at(-1)?.at ?? null, publishFleet: () => this.track('metrics', false, () => this.publishFleetSignals()),
    });
    this.extras.configure(this.settings);
  }

  get home(): string { return this.session.world.home; }

  get intervals(): AgentIntervals {
    const s = this.settings;
    return { healthMs: s.healthIntervalSec * 1000, listenersMs: s.listenerIntervalSec * 1000, clockMs: s.clockIntervalSec * 1000, probesMs: s.probeIntervalSec * 1000, serviceMs: SERVICE_INTERVAL_MS, configMs: s.watch.configPollSec * 1000, egressMs: s.egress.intervalSec * 1000, ...this.options.intervals };
  }

  /** The table of scheduled checks. Metrics and state-change lines follow the listener schedule, from what the others found. */
  private checks(): Check[] {
    const i = this.intervals;
    return [
      { id: 'health', intervalMs: i.healthMs, first: 'now', onWake: 'now', busy: false, run: () => this.sampleHealth() },
      { id: 'listeners', intervalMs: i.listenersMs, first: 'now', onWake: 'now', busy: true, run: () => this.scanListeners() },
      { id: 'clock', intervalMs: i.clockMs, first: 'now', onWake: 'now', busy: true, run: () => this.measureClock() },
      { id: 'service', intervalMs: i.serviceMs, first: 'later', onWake: 'later', busy: true, run: () => this.loadService() },
      { id: 'probes', intervalMs: i.probesMs, first: 'now', onWake: 'later', busy: false, run: () => this.probes.runAndKeep() },
      { id: 'metrics', intervalMs: i.listenersMs, first: 'now', onWake: 'now', busy: false, run: () => this.publishFleetSignals() },
      { id: 'config', intervalMs: i.configMs, first: 'later', onWake: 'later', busy: false, run: () => this.extras.pollConfig() },
      // The gateway's own log errors, read where the last read stopped; a layer whose rate jumped is noticed once an hour.
      { id: 'gateway-log', intervalMs: i.listenersMs, first: 'now', onWake: 'now', busy: false, run: async () => { for (const notice of await this.session.daemon.logNotices(this.service)) this.notify(notice); } },
      // The gateway's version (from the health check's /startupz) and node binary against those last seen; a change runs the baseline comparison.
      { id: 'upgrades', intervalMs: i.healthMs, first: 'now', onWake: 'now', busy: false, run: () => this.probes.lookForUpgrade({ gatewayVersion: this.healthReport?.version ?? null, nodePath: this.service?.facts.service?.nodePath ?? null, gatewayUp: this.health?.tracker.samples.at(-1)?.ok === true }) },
      // Continuous egress sampling is the watcher's (it runs around the clock; the app defers to it and comes and goes), and only when asked for.
      ...(this.options.role === 'watcher' && this.settings.egress.sample ? [{ id: 'egress-sample' as const, intervalMs: i.egressMs, first: 'now' as const, onWake: 'now' as const, busy: false, run: () => this.egress.sample(this.service) }] : []),
    ];
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.firstRun.load();
    await this.track('service', true, () => this.loadService());
    const owner = await this.extras.start();
    if (!this.paused && owner) this.startLoops(false);
    this.publish();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.stopLoops();
    await this.extras.stop();
    await this.fleet.stop();
    await this.probes.settled();
    await this.session.keepProbesReady(null);
  }

  /** The Mac is going to sleep: no timers, no probes until it wakes. */
  async pause(): Promise<void> {
    if (this.paused) return;
    this.paused = true;
    await this.extras.pause();
    await this.stopLoops();
    this.publish();
  }

  /** Woken up: look again right away (the network may have changed while asleep); probes keep their long interval. */
  async resume(): Promise<void> {
    if (!this.paused) return;
    this.paused = false;
    this.extras.resume();
    if (this.running) {
      await this.track('service', true, () => this.loadService());
      this.startLoops(true);
    }
    this.publish();
  }

  /** New settings, in force at once; the loops follow in the background (a check in flight, an upgrade comparison say, is never waited for). */
  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    this.settings = Settings.parse({ ...this.settings, ...patch });
    this.extras.configure(this.settings);
    if (this.running && !this.paused) this.followSettings();
    this.emit('settings', this.settings);
    this.publish();
    return this.settings;
  }

  private startLoops(afterWake: boolean): void {
    // While a watcher owns the schedules the app only shows its state; a second loop would page twice.
    if (this.extras.following || this.loops.size > 0) return;
    for (const check of this.checks()) {
      const loop = this.loopOf(check);
      loop.start((afterWake ? check.onWake : check.first) === 'later');
    }
  }

  private loopOf(check: Check): Periodic {
    const loop = new Periodic(check.intervalMs, () => this.track(check.id, check.busy, check.run));
    this.loops.set(check.id, { loop, intervalMs: check.intervalMs });
    return loop;
  }

  /**
   * After new settings, as after a wake but without waiting: a loop whose
   * interval changed (or whose check came or went) is replaced, the new one
   * starting once the old one's run in flight ends; the others keep their
   * schedule, and those that look at once on wake look now (joining a run in
   * flight), so new thresholds show without waiting a turn.
   */
  private followSettings(): void {
    if (this.extras.following || this.loops.size === 0) return;
    const wanted = new Map(this.checks().map((check) => [check.id, check]));
    const ending = new Map<CheckId, Promise<void>>();
    for (const [id, { loop, intervalMs }] of this.loops) {
      const check = wanted.get(id);
      if (check && check.intervalMs === intervalMs) {
        if (check.onWake === 'now') void loop.runNow();
        continue;
      }
      this.loops.delete(id);
      const stopped: Promise<void> = loop.stop().finally(() => this.retiring.delete(stopped));
      this.retiring.add(stopped);
      ending.set(id, stopped);
    }
    for (const [id, check] of wanted) {
      if (this.loops.has(id)) continue;
      const loop = this.loopOf(check);
      void (ending.get(id) ?? Promise.resolve()).then(() => { if (this.loops.get(id)?.loop === loop) loop.start(check.onWake === 'later'); });
    }
  }

  private async stopLoops(): Promise<void> {
    const loops = [...this.loops.values()];
    this.loops = new Map();
    await Promise.all([...loops.map(({ loop }) => loop.stop()), ...this.retiring]);
  }

  /** One health sample; a gateway that moved to another port gets a fresh tracker (and a fresh p95). */
  private async sampleHealth(): Promise<void> {
    const url = this.service?.facts.gateway.healthUrl.replace(/\/health$/, '') ?? 'http://127.0.0.1:18789';
    if (this.health?.baseUrl !== url) {
      this.health = new HealthScheduler(url, this.intervals.healthMs, { okP95Ms: this.settings.healthOkP95Ms, degradedP95Ms: this.settings.healthDegradedP95Ms });
      this.healthReport = null;
    }
    const report = await this.health.runNow();
    const notice = healthNotice(this.healthReport?.state ?? null, report);
    this.healthReport = report;
    if (notice) this.notify(notice);
  }

  /** "Copy diagnostics report": the same document as `clawbar report`, from the agent's latest checks (a fresh look only when one is missing). */
  async diagnosticsReport(): Promise<string> {
    if (!this.service) await this.track('service', true, () => this.loadService());
    if (!this.service) throw new Error(this.failures.get('service') ?? 'the gateway service could not be read');
    const status = statusFromGlance(this.glance(), this.settings) ?? undefined;
    await this.probes.kept();
    return reportMarkdown(await this.session.report(this.service, this.settings, status));
  }

  /** The node_exporter textfile, status.jsonl and the optional loopback /metrics from the latest glance, with the applied fixes checked against the service (the app's cycle of `fix.reverted`). */
  async publishFleetSignals(): Promise<void> {
    const service = this.service;
    await this.probes.kept();
    const status = await this.fleet.publish(this.glance(), this.settings, (s) => (service ? this.session.withFixWatch(service, s) : Promise.resolve(s)));
    if (status) this.fixFindings = status.findings.filter((f) => f.id.startsWith('fix.'));
  }

  private glance(): Glance {
    return { health: this.healthReport, listeners: this.listenerReport, clock: this.clock, around: this.session.around({ service: this.service, health: this.healthReport }) };
  }

  /**
   * Reads the service again; in the app, "Run probes now" then finds a probe
   * child ready in the daemon's current world. The watcher keeps none: its
   * runs are scheduled, nobody waits on them, and an idle warmed child would
   * sit beside it all day (about 70 MB resident, bench:watch).
   */
  async loadService(): Promise<void> {
    this.service = await this.session.service(this.service?.facts.service?.plistPath ?? this.options.plistPath);
    await this.session.keepProbesReady(this.options.role === 'watcher' ? null : this.service);
  }

  async scanListeners(saveBaseline = false): Promise<ListenersReport | null> {
    const gateway = this.service?.facts.gateway;
    const report = await this.session.listeners({ port: gateway?.port ?? null, authMode: gateway?.authMode ?? null }, this.settings, { saveBaseline });
    for (const notice of listenerNotices(this.listenerReport, report)) this.notify(notice);
    this.listenerReport = report;
    return report;
  }

  async measureClock(): Promise<void> {
    const report = await this.session.clock(this.settings, { timeoutMs: 1_500, samples: 3 });
    const notice = clockNotice(this.clock, report);
    if (notice) this.notify(notice);
    this.clock = report;
  }

  /** The probe suite under the daemon's world (or the shell's); a second call while one runs joins it. */
  runProbes(options: { shellEnv?: boolean } = {}): Promise<ProbeReport> {
    return this.probes.run(options);
  }

  /** Runs checks now (the "Retry now" button, or after a fix). */
  async refresh(check: 'all' | 'health' | 'listeners' | 'clock' | 'service' = 'all'): Promise<AgentState> {
    const rows = this.checks().filter((row) => (check === 'all' ? ['service', 'health', 'listeners', 'clock'].includes(row.id) : row.id === check));
    await Promise.all(rows.map((row) => this.track(row.id, row.busy, row.run)));
    return this.getState();
  }

  async saveBaseline(): Promise<ListenersReport> {
    await this.track('listeners', true, () => this.scanListeners(true));
    const failure = this.failures.get('listeners');
    if (failure || !this.listenerReport) throw new Error(failure ?? 'listener scan failed');
    return this.listenerReport;
  }

  /** The daemon's environment as `clawbar env` shows it, read fresh (the env view is where drift is judged). */
  async environment(): Promise<EnvReport> {
    await this.track('service', true, () => this.loadService());
    return envView(this.watched().facts);
  }

  async history(): Promise<History> {
    await this.probes.kept();
    const [probes, gatewayLog] = await Promise.all([this.session.keeper.probeRuns(), gatewayLogHistory(this.session.world, this.service).catch(() => null)]);
    return { health: this.healthHistory(), probes, gatewayLog };
  }

  /** "Send test page" to the stored notifier at `index`, through the pager's transport (the daemon's proxy and trust). */
  testPage(index: number) {
    const notifier = this.settings.paging.notifiers[index];
    if (!notifier) throw new Error(`there is no notifier ${index + 1}`);
    return this.extras.pager.test(notifier, index);
  }

  /** Plan, preview and pre-flight a fix without writing anything. */
  planFix(request: FixRequest): Promise<FixOutcome> {
    return this.fixing(() => this.session.fix(withService(request, this.plistPath()), 'dry-run', this.fixRun()));
  }

  /** `planId`: the previewed plan; apply refuses when the files no longer match it. */
  applyFix(request: FixRequest, planId?: string): Promise<FixOutcome> {
    return this.fixing(() => this.session.fix(withService(request, this.plistPath()), 'apply', { ...this.fixRun(), planId }), true);
  }

  rollbackFix(id?: string): Promise<FixOutcome> {
    return this.fixing(() => this.session.rollback(id, this.fixRun()), true);
  }

  /** Puts back a recorded fix from the request it was made from: preview and pre-flight first, then apply the reviewed plan. */
  reapplyFix(id: string, apply: boolean, planId?: string): Promise<FixOutcome> {
    return this.fixing(() => this.session.reapply(id, apply ? 'apply' : 'dry-run', { ...this.fixRun(), planId }), apply);
  }

  fixHistory(): Promise<FixBundleSummary[]> {
    return this.session.fixHistory();
  }

  /** The watched service, or why it could not be read. */
  private watched(): ServiceEnvironment {
    if (!this.service) throw new Error(this.failures.get('service') ?? 'no gateway service');
    return this.service;
  }

  /** The service the agent watches; IPC requests never name files themselves. */
  private plistPath(): string | null {
    return this.service?.facts.service?.plistPath ?? this.options.plistPath ?? null;
  }

  private fixRun() {
    return { onStep: (step: FixStep) => this.emitSafe('progress', { kind: 'fix', step }) };
  }

  /** One fix at a time; a fix that changed files is followed by a fresh look, so every view shows the new world. */
  private async fixing(task: () => Promise<FixOutcome>, changes = false): Promise<FixOutcome> {
    if (this.busy.has('fix')) throw new Error('another fix is running');
    this.busy.add('fix');
    this.publish();
    try {
      const outcome = await task();
      if (changes) {
        await this.refresh('all');
        await this.track('probes', false, () => this.probes.runAndKeep());
      }
      return outcome;
    } finally {
      this.busy.delete('fix');
      this.publish();
    }
  }

  async completeFirstRun(): Promise<AgentState> {
    await this.firstRun.complete();
    this.publish();
    return this.getState();
  }

  /** The state as the renderer and the tray see it (the watcher's, while one owns the schedules): an exit, so redacted. */
  getState(): AgentState {
    return this.extras.shown(this.ownState());
  }

  private ownState(): AgentState {
    return this.session.world.redactor.deep(snapshot({
      settings: this.settings, service: this.service, health: this.healthReport, samples: this.health?.tracker.samples ?? [], listeners: this.listenerReport,
      clock: this.clock, lastProbe: this.probes.last, lastShellProbe: this.probes.lastShell, failures: this.failures, firstRun: this.firstRun.pending,
      paused: this.paused, busy: [...this.busy], now: this.session.world.now(), fixes: this.fixFindings, upgrade: this.probes.upgradeFinding(),
      around: this.session.around({ service: this.service, health: this.healthReport }),
    }));
  }

  /** Health points for the history view, from the tracker's ring. */
  healthHistory(): History['health'] {
    return (this.health?.tracker.samples ?? []).map((s) => ({ at: new Date(s.at).toISOString(), state: s.ok ? 'ok' : 'fail', latencyMs: s.latencyMs }));
  }

  /** Runs one check, marks it busy for the UI when it is a long one, and turns its failure into a finding instead of a crash. */
  private async track(id: CheckId, busy: boolean, task: () => Promise<unknown>): Promise<void> {
    // The config poll runs every few seconds and shows nothing; a change it finds re-runs the checks that do.
    if (id === 'config') return task().then(() => { this.failures.delete(id); }, (error: Error) => { this.failures.set(id, error.message); this.publish(); });
    const shown = busy && id !== 'metrics' && id !== 'gateway-log' && id !== 'egress-sample' && id !== 'upgrades' ? id : null;
    if (shown) {
      this.busy.add(shown);
      this.publish();
    }
    try {
      await task();
      this.failures.delete(id);
    } catch (error) {
      this.failures.set(id, (error as Error).message);
    } finally {
      if (shown) this.busy.delete(shown);
      this.publish();
      void this.extras.checked(id);
    }
  }

  private notify(notice: Notice): void {
    // A fix restarts the gateway on purpose; the operator who pressed Apply is watching its steps already.
    if (this.busy.has('fix') && notice.id === 'gateway.down') return;
    this.emitSafe('notify', notice);
  }

  /** Events leave the process (notifications, the renderer): they pass the redactor. */
  private emitSafe<K extends 'progress' | 'notify'>(event: K, payload: AgentEvents[K][0]): void {
    (this.emit as (event: K, payload: AgentEvents[K][0]) => boolean)(event, this.session.world.redactor.deep(payload));
  }

  /** Emits 'state' only when something shown changed (the timestamp alone does not count). */
  publish(): void {
    const state = this.getState();
    this.published = state;
    const key = JSON.stringify({ ...state, updatedAt: '' });
    if (key === this.lastEmitted) return;
    this.lastEmitted = key;
    this.emit('state', state);
  }
}
