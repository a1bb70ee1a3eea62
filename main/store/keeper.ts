import type { FixStep, LastProbeRun, ListenersReport, ProbeReport, ProbeTarget, StatusReport } from '../contract.ts';
import { diffBaseline, toBaseline, type Baseline } from '../glance/baseline.ts';
import { nextSeen, type ListenerMemory } from '../glance/listeners.ts';
import { join } from 'node:path';
import { readJson, writeJsonAtomic } from '../system/files.ts';
import type { World } from '../world.ts';
import { loadBundleKey } from './bundle-key.ts';
import { appendJsonLines } from './jsonl-log.ts';
import { loadLastProbe, saveLastProbe } from './last-probe.ts';
import { keepWeeklySnapshot, lastWeekSnapshot } from './listener-snapshots.ts';
import { noteFixStep } from './maintenance.ts';
import { readProbeRuns } from './probe-history.ts';
import { observeStatus, recordStateChanges } from './state-log.ts';

/**
 * Everything clawbar keeps on disk, in one place: the probe log and last run,
 * the state log and last states, the fix audit log, the listener memory. Each
 * record passes the world's redactor on its way to the file, so what the
 * engine hands over may hold raw facts; folders are created private and logs
 * are appended without following symlinks (see jsonl-log.ts).
 */
export class Keeper {
  private readonly world: World;
  private key: Promise<Buffer> | null = null;

  constructor(world: World) {
    this.world = world;
  }

  private get files() { return this.world.files; }
  private safe<T>(value: T): T { return this.world.redactor.deep(value); }

  /**
   * One line per probe in probes.jsonl, and the whole run (with the targets as
   * asked) as the last run. `purpose` tags the lines of a run made for one
   * (the comparison after an upgrade), which is not the last run.
   */
  async keepProbeRun(report: ProbeReport, targets: ProbeTarget[], keep: { log: boolean; lastRun: boolean; purpose?: 'upgrade-check' }): Promise<void> {
    const safe = this.safe(report);
    if (keep.log) {
      await appendJsonLines(this.files.probeLog, safe.results.map((r) => ({
        time: safe.startedAt, traceId: safe.traceId, event: 'probe', ...(keep.purpose ? { purpose: keep.purpose } : {}), source: safe.environment.source, target: r.target, kind: r.kind, ok: r.ok, layer: r.layer,
        errorCode: r.error?.code ?? null, via: r.via, status: r.http?.status ?? null, phases: r.phases,
      })));
    }
    if (keep.lastRun) await saveLastProbe(this.files.lastProbe, { schema: 'clawbar.last-probe/1', savedAt: this.world.now().toISOString(), targets: this.safe(targets), report: safe });
  }

  lastProbe(): Promise<LastProbeRun | null> {
    return loadLastProbe(this.files.lastProbe);
  }

  probeRuns() {
    return readProbeRuns(this.files.probeLog);
  }

  /** One status.jsonl line per check whose state changed since any observer last looked. */
  recordStatus(report: StatusReport, observer: string): Promise<object[]> {
    return recordStateChanges(observeStatus(this.safe(report)), { statePath: this.files.lastStates, logPath: this.files.statusLog, source: observer, now: this.world.now() });
  }

  /** One audit line per fix step. */
  async auditFix(record: { fixId: string; kind: string; step: FixStep }): Promise<void> {
    const { step } = this.safe(record);
    // A fix restarting the gateway opens a maintenance window, so the watcher does not page its own outage.
    await noteFixStep(this.files.fixWindow, record, this.world.now()).catch(() => undefined);
    return appendJsonLines(this.files.fixLog, [{ time: step.at, event: 'fix-step', fixId: record.fixId, kind: record.kind, step: step.step, status: step.status, detail: step.detail }]);
  }

  /** One line in pages.jsonl: a page (sent, held, not sent) or a delivery outcome. */
  logPage(record: Record<string, unknown>): Promise<void> {
    return appendJsonLines(this.files.pageLog, [{ time: this.world.now().toISOString(), ...this.safe(record) }]);
  }

  /** One line in watch.jsonl: the watcher's start, stop, config changes and settings reloads. */
  logWatch(record: Record<string, unknown>): Promise<void> {
    return appendJsonLines(this.files.watchLog, [{ time: this.world.now().toISOString(), ...this.safe(record) }]);
  }

  /** What appeared, went or moved since last week's snapshot, for the report. */
  async weeklyListenerChanges(items: ListenersReport['items']): Promise<{ savedAt: string; changes: ListenersReport['baseline']['changes'] } | null> {
    const now = this.world.now();
    const [snapshot, seen] = await Promise.all([lastWeekSnapshot(this.files.listenerSnapshots, now), readJson<Record<string, string>>(this.files.listenersSeen, {})]);
    return snapshot ? { savedAt: snapshot.savedAt, changes: diffBaseline(snapshot, items, seen, now.getTime()) } : null;
  }

  /** The per-user key that signs rollback bundles, beside them in the state folder (made on first use). */
  bundleKey(): Promise<Buffer> {
    this.key ??= loadBundleKey(join(this.files.stateDir, 'fix-bundle.key'));
    this.key.catch(() => { this.key = null; });
    return this.key;
  }

  /** The saved listener baseline (or another file, `--baseline FILE`) and first-seen times. */
  async listenerMemory(baselinePath = this.files.listenerBaseline): Promise<ListenerMemory> {
    const [baseline, seen] = await Promise.all([readJson<Baseline | null>(baselinePath, null), readJson<Record<string, string>>(this.files.listenersSeen, {})]);
    return { baselinePath, baseline, seen };
  }

  /** Keeps first-seen times after a scan that worked, and the new baseline when one was asked for. */
  async keepListeners(report: ListenersReport, memory: ListenerMemory, saveBaseline: boolean): Promise<void> {
    if (report.source === 'unavailable' || report.findings.some((f) => f.id === 'listeners.unavailable')) return;
    const now = this.world.now();
    await writeJsonAtomic(this.files.listenersSeen, nextSeen(report.items, memory.seen, now));
    await keepWeeklySnapshot(this.files.listenerSnapshots, this.safe(report.items), now);
    if (saveBaseline) await writeJsonAtomic(memory.baselinePath, toBaseline(report.items, report.baseline.savedAt ? new Date(report.baseline.savedAt) : now));
  }

}
