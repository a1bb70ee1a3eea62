import type { Finding, ProbeReport, ProbeTarget } from '../contract.ts';
import type { Notice, Progress } from '../ipc-contract.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import type { Session } from '../session/session.ts';
import { probeNotice } from './notices.ts';
import { UpgradeWatch, type UpgradeLook } from './upgrades.ts';

type World = 'daemon' | 'shell';

/** What the probe runs need from the agent that composes them. */
export interface ProbeRunsPort {
  session: Session;
  /** How long one target may take before it counts as failed. */
  timeoutMs: number;
  /** The watched service; throws why it could not be read when there is none. */
  service(): ServiceEnvironment;
  /** The same, read first when none has been read yet. */
  readService(): Promise<ServiceEnvironment>;
  /** Shows the probes as running (true) or finished (false), and publishes the state either way. */
  busy(on: boolean): void;
  /** A run's writing failed: the probes check shows why until a run is kept. */
  notKept(message: string): void;
  progress(progress: Progress): void;
  notify(notice: Notice): void;
  say?: (line: string) => void;
}

/**
 * Every probe run the agent makes — scheduled, asked for ("Run probes now",
 * after a fix), and an upgrade's comparison runs — and the last of each
 * world's. One queue: a second ask while a run is under way joins it, and an
 * upgrade comparison's runs go one at a time with every other run. A run is
 * shown as soon as it ends; its probe log lines and last-run file are written
 * after, and whatever reads those files waits for them through `kept()`.
 */
export class ProbeRuns {
  private readonly port: ProbeRunsPort;
  /** The last daemon-world run (a change in it is noticed) and the last shell-world run. */
  private lastDaemon: ProbeReport | null = null;
  private lastShellRun: ProbeReport | null = null;
  /** The latest run's probe log lines and last-run file, written after the run is shown; whatever reads those files waits for it. */
  private keeping: Promise<void> = Promise.resolve();
  /** Each run's own writing, so a check that ran it fails when its run was not kept. */
  private readonly writes = new WeakMap<ProbeReport, Promise<void>>();
  private readonly probing = new Map<World, Promise<ProbeReport>>();
  /** A new gateway version or node binary, compared with the newest probe baseline (main/agent/upgrades.ts). */
  private readonly upgrades: UpgradeWatch;
  /** An upgrade comparison's probe run in flight (settled when none): other probe runs start after it. */
  private comparing: Promise<unknown> = Promise.resolve();

  constructor(port: ProbeRunsPort) {
    this.port = port;
    this.upgrades = new UpgradeWatch({ session: port.session, probe: (targets) => this.probeFor(targets), notify: (notice) => port.notify(notice), say: port.say });
  }

  get last(): ProbeReport | null { return this.lastDaemon; }

  get lastShell(): ProbeReport | null { return this.lastShellRun; }

  /** Settles once every run's writing so far has ended, kept or not. */
  kept(): Promise<void> {
    return this.keeping;
  }

  /** Stopping: the runs under way end, then their writing. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.probing.values());
    await this.keeping;
  }

  /** One look at the gateway's version and node binary; a change runs the baseline comparison through `probeFor`. */
  lookForUpgrade(look: UpgradeLook): Promise<void> {
    return this.upgrades.look(look);
  }

  /** The last upgrade comparison's finding, until a newer baseline was saved. */
  upgradeFinding(): Finding | null {
    return this.upgrades.finding();
  }

  /** The probe suite under the daemon's world (or the shell's); a second call while one runs joins it. */
  run(options: { shellEnv?: boolean } = {}): Promise<ProbeReport> {
    const world = options.shellEnv ? 'shell' : 'daemon';
    const pending = this.probing.get(world) ?? this.comparing.then(() => this.probe(world)).finally(() => this.probing.delete(world));
    this.probing.set(world, pending);
    return pending;
  }

  /** A run as the checks make it: done when its probe log lines and last-run file are on disk, so the pager and the fleet read it. */
  async runAndKeep(): Promise<void> {
    const report = await this.run();
    await this.writes.get(report);
  }

  /**
   * The probe runs of an upgrade comparison: a baseline's targets exactly,
   * one run at a time with every other probe run (beside another, both are
   * slower and the medians lie), kept in the probe log tagged, never as the
   * last run (metrics and the report keep the last full run); else the usual run.
   */
  private probeFor(targets: ProbeTarget[] | null): Promise<ProbeReport> {
    if (!targets) return this.run();
    const run = Promise.allSettled(this.probing.values()).then(() =>
      this.port.session.probe(this.port.service(), { source: 'daemon', exact: targets, timeoutMs: this.port.timeoutMs, purpose: 'upgrade-check' }));
    this.comparing = run.catch(() => undefined);
    return run;
  }

  private async probe(world: World): Promise<ProbeReport> {
    this.port.busy(true);
    try {
      const service = await this.port.readService();
      const keep: { writing: Promise<void> | null } = { writing: null };
      const report = await this.port.session.probe(service, {
        source: world, timeoutMs: this.port.timeoutMs,
        onProgress: (target, phase, done, total) => this.port.progress({ kind: 'probe', world, target, phase, done, total }),
        onResult: (result, done, total) => this.port.progress({ kind: 'probe', world, target: result.target, phase: 'done', done, total }),
        keepLater: (writing) => { keep.writing = writing.catch((error: Error) => { throw new Error(`the run was not kept: ${error.message}`); }); },
      });
      const kept = keep.writing;
      if (kept) {
        this.writes.set(report, kept);
        // Every writing is waited for (a shell run and a daemon run can overlap); a failed one shows until a run is kept.
        this.keeping = Promise.all([this.keeping, kept.catch((error: Error) => this.port.notKept(error.message))]).then(() => undefined);
      }
      const notice = world === 'daemon' ? probeNotice(this.lastDaemon, report) : null;
      if (world === 'daemon') this.lastDaemon = report;
      else this.lastShellRun = report;
      if (notice) this.port.notify(notice);
      return report;
    } finally {
      // The other world may still be probing.
      this.port.busy(this.probing.size > 1);
    }
  }
}
