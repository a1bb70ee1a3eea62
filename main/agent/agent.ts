import { EventEmitter } from 'node:events';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ClockReport, EnvReport, FixBundleSummary, FixOutcome, HealthReport, ListenersReport, ProbeReport } from '../contract.ts';
import { measureClock } from '../glance/clock.ts';
import { HealthScheduler } from '../glance/health.ts';
import { scanListeners } from '../glance/listeners.ts';
import type { AgentState, FixRequest, Notice, Progress } from '../ipc-contract.ts';
import { loadServiceEnvironment, type ServiceEnvironment } from '../service/environment.ts';
import { Settings } from '../settings-schema.ts';
import type { Executor } from '../system/exec.ts';
import { clawbarPaths } from '../system/paths.ts';
import { Redactor } from '../system/redact.ts';
import { FirstRun } from './first-run.ts';
import { FleetSignals, statusFromGlance } from './fleet.ts';
import { buildDiagnosticsReport, collectDiagnostics } from '../report/report.ts';
import { reportMarkdown } from '../report/report-markdown.ts';
import { lastProbePath, loadLastProbe } from '../report/last-probe.ts';
import { nodeFacts } from '../report/node-facts.ts';
import { fixBundles, rollbackFor, runFixFor, type FixContext } from './fixes.ts';
import { clockNotice, healthNotice, listenerNotices, probeNotice } from './notices.ts';
import { Periodic } from './periodic.ts';
import { probeWorld } from './probe-run.ts';
import { snapshot } from './snapshot.ts';

export interface AgentIntervals { healthMs: number; listenersMs: number; clockMs: number; probesMs: number; serviceMs: number }

export interface AgentOptions {
  settings: Settings;
  home?: string;
  plistPath?: string;
  exec?: Executor;
  now?: () => Date;
  /** The operator's shell, for `--shell-env`-style comparison; defaults to this process's environment. */
  shellEnv?: Record<string, string | undefined>;
  /** Tests shorten the settings' intervals. */
  intervals?: Partial<AgentIntervals>;
  probeTimeoutMs?: number;
}

type Busy = AgentState['busy'][number];
/** The service files change rarely; reading them every five minutes catches drift without cost. */
const SERVICE_INTERVAL_MS = 300_000;

/**
 * The app's state owner: runs the engine's checks on their schedules, keeps
 * the latest (redacted) reports, derives the tray's lines and colour, and
 * emits 'state' when anything shown changed, 'notify' when a state changed
 * in a way worth interrupting for, and 'progress' during long operations.
 * No Electron here: main/app wires these events to the tray, notifications
 * and IPC, and the E2E tests drive the very same object.
 */
export class Agent extends EventEmitter {
  readonly home: string;
  readonly options: AgentOptions;
  settings: Settings;
  service: ServiceEnvironment | null = null;
  private serviceError: string | null = null;
  private scheduler: HealthScheduler | null = null;
  private health: HealthReport | null = null;
  private listenerReport: ListenersReport | null = null;
  private clock: ClockReport | null = null;
  private lastProbe: ProbeReport | null = null;
  private lastShellProbe: ProbeReport | null = null;
  private readonly probing = new Map<'daemon' | 'shell', Promise<ProbeReport>>();
  private readonly busy = new Set<Busy>();
  private readonly failures = new Map<string, string>();
  private loops: Periodic[] = [];
  private running = false;
  private paused = false;
  private lastEmitted = '';
  private readonly firstRun: FirstRun;
  private readonly fleet: FleetSignals;

  constructor(options: AgentOptions) {
    super();
    this.options = options;
    this.settings = Settings.parse(options.settings);
    this.home = options.home ?? process.env.HOME ?? homedir();
    this.firstRun = new FirstRun(clawbarPaths({ ...process.env, HOME: this.home }).stateDir);
    this.fleet = new FleetSignals({ ...process.env, HOME: this.home });
  }

  get intervals(): AgentIntervals {
    const s = this.settings;
    return { healthMs: s.healthIntervalSec * 1000, listenersMs: s.listenerIntervalSec * 1000, clockMs: s.clockIntervalSec * 1000, probesMs: s.probeIntervalSec * 1000, serviceMs: SERVICE_INTERVAL_MS, ...this.options.intervals };
  }

  get redactor(): Redactor { return this.service?.redactor ?? new Redactor().addEnvironment(this.shellEnv); }
  get shellEnv(): Record<string, string | undefined> { return this.options.shellEnv ?? process.env; }
  get probeLogPath(): string { return join(clawbarPaths({ ...process.env, HOME: this.home }).logDir, 'probes.jsonl'); }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.firstRun.load();
    await this.loadService();
    if (!this.paused) this.startLoops(false);
    this.publish();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.stopLoops();
    await this.fleet.stop();
    await Promise.allSettled(this.probing.values());
  }

  /** The Mac is going to sleep: no timers, no probes until it wakes. */
  async pause(): Promise<void> {
    if (this.paused) return;
    this.paused = true;
    await this.stopLoops();
    this.publish();
  }

  /** Woken up: look again right away (the network may have changed while asleep); probes keep their long interval. */
  async resume(): Promise<void> {
    if (!this.paused) return;
    this.paused = false;
    if (this.running) {
      await this.loadService();
      this.startLoops(true);
    }
    this.publish();
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    this.settings = Settings.parse({ ...this.settings, ...patch });
    if (this.running && !this.paused) {
      await this.stopLoops();
      this.startLoops(true);
    }
    this.emit('settings', this.settings);
    this.publish();
    return this.settings;
  }

  private startLoops(afterWake: boolean): void {
    const i = this.intervals;
    this.scheduler = this.makeScheduler();
    this.scheduler.start();
    this.loops = [
      new Periodic(i.listenersMs, async () => { await this.scanListeners(); }),
      new Periodic(i.clockMs, () => this.measureClock()),
      new Periodic(i.serviceMs, () => this.loadService()),
      new Periodic(i.probesMs, async () => { await this.runProbes().catch(() => undefined); }),
      // Metrics and state-change lines on the listener schedule, from what the checks above found.
      new Periodic(i.listenersMs, () => this.publishFleetSignals()),
    ];
    this.loops.forEach((loop, index) => loop.start(index === 2 || (index === 3 && afterWake)));
  }

  /**
   * "Copy diagnostics report": the same document as `clawbar report`, built
   * from the agent's latest checks (a fresh look only when one is missing).
   */
  async diagnosticsReport(): Promise<string> {
    if (!this.service) await this.loadService();
    const service = this.service;
    if (!service) throw new Error('the gateway service could not be read');
    const env = { ...process.env, HOME: this.home };
    const fixHistory = () => fixBundles(env);
    const status = statusFromGlance({ health: this.health, listeners: this.listenerReport, clock: this.clock }, this.settings);
    const report = status
      ? buildDiagnosticsReport({ service, status, lastProbe: await loadLastProbe(lastProbePath(env)), fixHistory: await fixHistory(), node: await nodeFacts(this.options.exec) })
      : await collectDiagnostics({ service, settings: this.settings, fixHistory, lastProbePath: lastProbePath(env), exec: this.options.exec, home: this.home });
    return this.redactor.text(reportMarkdown(report));
  }

  /** The node_exporter textfile, status.jsonl and the optional loopback /metrics; a failure is shown, never fatal. */
  async publishFleetSignals(): Promise<void> {
    try {
      await this.fleet.publish({ health: this.health, listeners: this.listenerReport, clock: this.clock }, this.settings, this.redactor);
      this.failures.delete('metrics');
    } catch (error) {
      this.failures.set('metrics', this.redactor.text((error as Error).message));
    }
  }

  private async stopLoops(): Promise<void> {
    const loops = this.loops;
    this.loops = [];
    await Promise.all([this.scheduler?.stop(), ...loops.map((loop) => loop.stop())]);
  }

  private makeScheduler(): HealthScheduler {
    const url = this.service?.report.gateway.healthUrl.replace(/\/health$/, '') ?? 'http://127.0.0.1:18789';
    const scheduler = new HealthScheduler(url, this.intervals.healthMs, { okP95Ms: this.settings.healthOkP95Ms, degradedP95Ms: this.settings.healthDegradedP95Ms });
    scheduler.on('sample', (report: HealthReport) => {
      const notice = healthNotice(this.health?.state ?? null, report);
      this.health = report;
      if (notice) this.notify(notice);
      this.publish();
    });
    return scheduler;
  }

  /** Reads the service again; a gateway that moved to another port gets a fresh health loop. */
  async loadService(): Promise<void> {
    await this.track('service', async () => {
      const previousUrl = this.service?.report.gateway.healthUrl;
      this.service = await loadServiceEnvironment({ home: this.home, plistPath: this.options.plistPath, exec: this.options.exec, shellEnv: this.shellEnv });
      if (this.scheduler && previousUrl && previousUrl !== this.service.report.gateway.healthUrl && !this.paused && this.running) {
        await this.scheduler.stop();
        this.health = null;
        this.scheduler = this.makeScheduler();
        this.scheduler.start();
      }
    });
  }

  async scanListeners(saveBaseline = false): Promise<ListenersReport | null> {
    await this.track('listeners', async () => {
      const gateway = this.service?.report.gateway;
      const report = await scanListeners({
        exec: this.options.exec, home: this.home, now: this.options.now?.(), saveBaseline,
        gatewayPort: gateway?.port ?? null, authMode: gateway?.authMode ?? null, exceptions: this.settings.listenerExceptions.map((e) => e.port),
      });
      for (const notice of listenerNotices(this.listenerReport, report)) this.notify(notice);
      this.listenerReport = this.redactor.deep(report);
    });
    return this.listenerReport;
  }

  async measureClock(): Promise<void> {
    await this.track('clock', async () => {
      const s = this.settings;
      const report = await measureClock({ server: s.ntpServer || undefined, exec: this.options.exec, warnMs: s.clockWarnMs, criticalMs: s.clockCriticalMs, httpDateUrls: s.clockHttpDateUrls, timeoutMs: 1_500, samples: 3 });
      const notice = clockNotice(this.clock, report);
      if (notice) this.notify(notice);
      this.clock = report;
    });
  }

  /** The probe suite under the daemon's world (or the shell's); a second call while one runs joins it. */
  runProbes(options: { shellEnv?: boolean } = {}): Promise<ProbeReport> {
    const world = options.shellEnv ? 'shell' : 'daemon';
    const pending = this.probing.get(world) ?? this.probe(world).finally(() => this.probing.delete(world));
    this.probing.set(world, pending);
    return pending;
  }

  private async probe(world: 'daemon' | 'shell'): Promise<ProbeReport> {
    this.busy.add('probes');
    this.publish();
    try {
      if (!this.service) await this.loadService();
      if (!this.service) throw new Error(this.serviceError ?? 'no gateway service');
      const report = await probeWorld({
        world, service: this.service, home: this.home, shellEnv: this.shellEnv, exec: this.options.exec, timeoutMs: this.options.probeTimeoutMs ?? 8_000,
        logPath: this.probeLogPath, onProgress: (progress) => this.emit('progress', this.redactor.deep(progress)),
      });
      const notice = world === 'daemon' ? probeNotice(this.lastProbe, report) : null;
      if (world === 'daemon') this.lastProbe = report;
      else this.lastShellProbe = report;
      if (notice) this.notify(notice);
      return report;
    } finally {
      // The other world may still be probing.
      if (this.probing.size <= 1) this.busy.delete('probes');
      this.publish();
    }
  }

  /** Runs checks now (the "Retry now" button, or after a fix). */
  async refresh(check: 'all' | 'health' | 'listeners' | 'clock' | 'service' = 'all'): Promise<AgentState> {
    const jobs: Array<Promise<unknown>> = [];
    if (check === 'service' || check === 'all') jobs.push(this.loadService());
    if ((check === 'health' || check === 'all') && this.scheduler) jobs.push(this.scheduler.runNow());
    if (check === 'listeners' || check === 'all') jobs.push(this.scanListeners());
    if (check === 'clock' || check === 'all') jobs.push(this.measureClock());
    await Promise.all(jobs);
    return this.getState();
  }

  async saveBaseline(): Promise<ListenersReport> {
    const report = await this.scanListeners(true);
    const failure = this.failures.get('listeners');
    if (failure || !report) throw new Error(failure ?? 'listener scan failed');
    return report;
  }

  /** The daemon's environment as `clawbar env` shows it, read fresh (the env view is where drift is judged). */
  async environment(): Promise<EnvReport> {
    await this.loadService();
    if (!this.service) throw new Error(this.serviceError ?? 'no gateway service');
    return this.service.report;
  }

  /** Plan, preview and pre-flight a fix without writing anything. */
  planFix(request: FixRequest): Promise<FixOutcome> {
    return this.fixing(() => runFixFor(request, 'dry-run', this.fixContext()));
  }

  applyFix(request: FixRequest, planId?: string): Promise<FixOutcome> {
    return this.fixing(() => runFixFor(request, 'apply', this.fixContext(), planId), true);
  }

  rollbackFix(id?: string): Promise<FixOutcome> {
    return this.fixing(() => rollbackFor(id, this.fixContext()), true);
  }

  async fixHistory(): Promise<FixBundleSummary[]> {
    return this.redactor.deep(await fixBundles(this.fixContext().env));
  }

  private fixContext(): FixContext {
    return {
      home: this.home, env: { ...this.shellEnv, HOME: this.home }, exec: this.options.exec, plistPath: this.service?.report.service?.plistPath ?? this.options.plistPath ?? null,
      onStep: (step) => this.emit('progress', this.redactor.deep({ kind: 'fix', step } satisfies Progress)),
    };
  }

  /** One fix at a time; a fix that changed files is followed by a fresh look, so every view shows the new world. */
  private async fixing(task: () => Promise<FixOutcome>, changes = false): Promise<FixOutcome> {
    if (this.busy.has('fix')) throw new Error('another fix is running');
    this.busy.add('fix');
    this.publish();
    try {
      const outcome = this.redactor.deep(await task());
      if (changes) {
        await this.refresh('all');
        await this.runProbes().catch(() => undefined);
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

  getState(): AgentState {
    return this.redactor.deep(snapshot({
      settings: this.settings, service: this.service, health: this.health, samples: this.scheduler?.tracker.samples ?? [], listeners: this.listenerReport,
      clock: this.clock, lastProbe: this.lastProbe, lastShellProbe: this.lastShellProbe, failures: this.failures, firstRun: this.firstRun.pending,
      paused: this.paused, busy: [...this.busy], now: this.options.now?.() ?? new Date(),
    }));
  }

  /** Health points for the history view, from the scheduler's ring. */
  healthHistory(): Array<{ at: string; state: 'ok' | 'fail'; latencyMs: number | null }> {
    return (this.scheduler?.tracker.samples ?? []).map((s) => ({ at: new Date(s.at).toISOString(), state: s.ok ? 'ok' : 'fail', latencyMs: s.latencyMs }));
  }

  /** Marks a long operation busy for the UI and turns its failure into a finding instead of a crash. */
  async track(what: Busy, task: () => Promise<void>): Promise<void> {
    this.busy.add(what);
    this.publish();
    try {
      await task();
      this.failures.delete(what);
      if (what === 'service') this.serviceError = null;
    } catch (error) {
      const message = this.redactor.text((error as Error).message);
      this.failures.set(what, message);
      if (what === 'service') this.serviceError = message;
    } finally {
      this.busy.delete(what);
      this.publish();
    }
  }

  private notify(notice: Notice): void {
    // A fix restarts the gateway on purpose; the operator who pressed Apply is watching its steps already.
    if (this.busy.has('fix') && notice.id === 'gateway.down') return;
    this.emit('notify', this.redactor.deep(notice));
  }

  /** Emits 'state' only when something shown changed (the timestamp alone does not count). */
  publish(): void {
    const state = this.getState();
    const key = JSON.stringify({ ...state, updatedAt: '' });
    if (key === this.lastEmitted) return;
    this.lastEmitted = key;
    this.emit('state', state);
  }
}
