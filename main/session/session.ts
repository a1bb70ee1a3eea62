import { sortBySeverity, worstSeverity, type AllowlistExport, type ClockReport, type DiagnosticsReport, type DownVerdict, type EdgesReport, type Finding, type FixBundleSummary, type FixOutcome, type FixStep, type ListenersReport, type ProbeReport, type ProbeResult, type ProbeTarget, type StatusReport } from '../contract.ts';
import { measureClock } from '../glance/clock.ts';
import { inspectEdges } from '../glance/edges.ts';
import { AroundLook, type AroundNow } from './around.ts';
import { scanListeners } from '../glance/listeners.ts';
import { nodeFacts } from '../glance/node-facts.ts';
import { takeStatus } from '../glance/status.ts';
import { decideRoute } from '../probes/route.ts';
import { resolversForRun } from '../probes/scutil-dns.ts';
import { loadAllowlist, selectTargets } from '../probes/targets.ts';
import { loadServiceEnvironment, type ServiceEnvironment } from '../service/environment.ts';
import { loadSettings, type Settings } from '../settings.ts';
import { Keeper } from '../store/keeper.ts';
import { CLAWBAR_VERSION } from '../glance/node-facts.ts';
import type { World } from '../world.ts';
import { DaemonWorld } from './daemon-world.ts';

/** Engine modules for fixes load on first use: most runs (and most app sessions) never fix anything. */
const fixEngine = () => import('../fixes/index.ts');
type FixEngine = Awaited<ReturnType<typeof fixEngine>>;
/** The check of recorded fixes against the service: light, since every status run makes it. */
const fixWatch = () => import('../fixes/observe.ts');
/** The probe engine and the renderers load with the commands that use them, not with every `status`. */
const probeSuite = () => import('../probes/suite.ts');
const probeRunner = () => import('../probes/runner.ts');
const reportBuilders = () => import('../report/report.ts');
const allowlistBuilder = () => import('../report/allowlist-export.ts');
const metricsRenderer = () => import('../report/metrics.ts');

export interface ProbeRequest {
  source: 'daemon' | 'shell';
  /** `--target` URLs; empty for the targets the daemon's config implies plus the allowlist. */
  targets?: string[];
  /** These targets exactly, as a baseline asked them (`probe --compare`); overrides targets and pins. */
  exact?: ProbeTarget[];
  pins?: string[];
  dnsServers?: string[];
  timeoutMs: number;
  onProgress?: (target: string, phase: string, done: number, total: number) => void;
  onResult?: (result: ProbeResult, done: number, total: number) => void;
  /** Given: the run is returned at once and kept meanwhile (the probe log, the last-run file); the caller awaits the writing where it reads them. */
  keepLater?: (writing: Promise<void>) => void;
  /** A run made for a purpose (the comparison after an upgrade): kept in the probe log, its lines tagged, while the last full run stays the last run. */
  purpose?: 'upgrade-check';
}

export interface FixRun {
  /** Probe targets for the pre-flight and verification (URLs); default: what `clawbar probe` would probe. */
  targets?: string[];
  pins?: string[];
  dnsServers?: string[];
  timeoutMs?: number;
  restartTimeoutMs?: number;
  onStep?: (step: FixStep) => void;
}

const DEFAULT_RESTART_TIMEOUT_MS = 90_000;

/**
 * "Run these checks and keep the results", once, for the CLI and the agent:
 * each method asks the engine for data, hands what is kept to the store and
 * returns the data raw. Redaction happens where the caller lets data leave
 * (stdout, IPC, files): the world's redactor knows every secret read here.
 */
export class Session {
  readonly world: World;
  readonly keeper: Keeper;
  /** Gateway log errors, probe baselines and egress observation. */
  readonly daemon: DaemonWorld;

  private readonly aroundLook: AroundLook;

  constructor(world: World) {
    this.world = world;
    this.keeper = new Keeper(world);
    this.aroundLook = new AroundLook(world, async () => (await this.keeper.lastProbe())?.report ?? null);
    this.daemon = new DaemonWorld(world);
  }

  settings(): Promise<Settings> {
    return loadSettings(this.world.files.settings);
  }

  /** The gateway service (the given plist, or the one discovered); its secrets join the redactor. */
  async service(plistPath?: string): Promise<ServiceEnvironment> {
    const { world } = this;
    const service = await loadServiceEnvironment({ plistPath, home: world.home, systemRoot: world.systemRoot, exec: world.exec, shellEnv: world.env, platform: world.platform });
    world.redactor.add(...service.secrets);
    return service;
  }

  /** `clawbar status`: the three glance answers and the service's findings; each state change is logged once. */
  async status(service: ServiceEnvironment, settings: Settings, observer: string, retryDelayMs?: number): Promise<StatusReport> {
    const memory = await this.keeper.listenerMemory();
    // Read once: the down verdict and the fix watch both look at the last probe run.
    const lastProbe = this.keeper.lastProbe();
    const report = await this.withFixWatch(service, await takeStatus({
      service, settings, exec: this.world.exec, listenerMemory: memory, platform: this.world.platform, retryDelayMs, edges: true,
      lastProbe: async () => (await lastProbe)?.report ?? null,
    }), lastProbe).then((r) => this.daemon.withLogFindings(service, r));
    await this.keeper.keepListeners(report.listeners, memory, false);
    await this.keeper.recordStatus(report, observer);
    return report;
  }

  /**
   * A status report with the recorded fixes checked against the service
   * (`fix.reverted`: warn, critical when the failure a fix mended is back in
   * the last probe run or the gateway port is exposed again). A check that
   * cannot run is itself a finding, never a failed status.
   */
  async withFixWatch(service: ServiceEnvironment, report: StatusReport, lastProbeRun: ReturnType<Keeper['lastProbe']> = this.keeper.lastProbe()): Promise<StatusReport> {
    if (report.findings.some((f) => f.id.startsWith('fix.'))) return report;
    let found: Finding[];
    try {
      const [{ fixesNoLongerInForce }, lastProbe] = await Promise.all([fixWatch(), lastProbeRun]);
      const failing = { targets: lastProbe?.report.results.filter((r) => !r.ok).map((r) => r.target) ?? [], gatewayExposed: report.findings.some((f) => f.id === 'listeners.gateway-exposed') };
      found = await fixesNoLongerInForce({ bundles: this.world.files.bundles, trust: () => this.bundleTrust(), service, failing });
    } catch (error) {
      found = [{ id: 'fix.watch-failed', severity: 'warn', title: `Cannot check whether applied fixes are still in force: ${(error as Error).message}`, fix: null }];
    }
    if (found.length === 0) return report;
    const findings = sortBySeverity([...report.findings, ...found]);
    return { ...report, findings, overall: worstSeverity(findings) };
  }

  private async bundleTrust() {
    return { key: await this.keeper.bundleKey(), uid: process.getuid?.() ?? -1 };
  }

  async listeners(gateway: { port: number | null; authMode: string | null }, settings: Settings, options: { saveBaseline?: boolean; baselinePath?: string } = {}): Promise<ListenersReport> {
    const memory = await this.keeper.listenerMemory(options.baselinePath);
    const report = await scanListeners({
      exec: this.world.exec, memory, saveBaseline: options.saveBaseline, now: this.world.now(), platform: this.world.platform,
      gatewayPort: gateway.port, authMode: gateway.authMode, exceptions: settings.listenerExceptions.map((e) => e.port),
    });
    await this.keeper.keepListeners(report, memory, options.saveBaseline ?? false);
    await this.aroundLook.refresh(report);
    return report;
  }

  /** `clawbar edges`: every way into the gateway, with `--edge` URLs that run elsewhere. */
  edges(service: ServiceEnvironment, given: string[] = []): Promise<EdgesReport> {
    return inspectEdges({ exec: this.world.exec, platform: this.world.platform, service: service.facts, env: service.env, given, now: this.world.now() });
  }

  /** The app's view of the ways in and of why the gateway is down: kept, handed out at once, looked at again after each listener scan (session/around.ts). */
  around(now: AroundNow): { edges: EdgesReport | null; verdict: DownVerdict | null } {
    return this.aroundLook.get(now);
  }

  clock(settings: Settings, options: { server?: string; timeoutMs?: number; samples?: number } = {}): Promise<ClockReport> {
    return measureClock({
      server: options.server ?? (settings.ntpServer || undefined), exec: this.world.exec, warnMs: settings.clockWarnMs, criticalMs: settings.clockCriticalMs,
      httpDateUrls: settings.clockHttpDateUrls, timeoutMs: options.timeoutMs, samples: options.samples,
    });
  }

  /** The targets a probe run or a fix's pre-flight uses: explicit → config defaults and allowlist → pins. */
  targets(service: ServiceEnvironment, explicit: string[] = [], pins: string[] = []): Promise<ProbeTarget[]> {
    return selectTargets({ explicit, pins, allowlistPath: this.world.files.allowlist, gateway: service.facts.gateway, config: service.config });
  }

  /** `clawbar probe`: the suite under the daemon's world (or the shell's), kept in the probe log and as the last run. */
  async probe(service: ServiceEnvironment, request: ProbeRequest): Promise<ProbeReport> {
    const targets = request.exact ?? await this.targets(service, request.targets, request.pins);
    let done = 0;
    const { runProbeSuite } = await probeSuite();
    const report = await runProbeSuite({
      source: request.source, service, targets, dnsServers: request.dnsServers ?? [], timeoutMs: request.timeoutMs, shellEnv: this.world.env, exec: this.world.exec,
      onProgress: (target, phase) => request.onProgress?.(target, phase, done, targets.length),
      onResult: (result) => { done++; request.onResult?.(result, done, targets.length); },
    });
    const writing = this.keeper.keepProbeRun(report, targets, { log: true, lastRun: !request.purpose, purpose: request.purpose });
    if (request.keepLater) request.keepLater(writing);
    else await writing;
    return report;
  }

  /** Keeps a probe child started and warmed up in this service's world, so the next daemon probe run starts at once; null stops it. */
  async keepProbesReady(service: ServiceEnvironment | null): Promise<void> {
    // The resolver list is read again with the service (on start, on wake, on its schedule), not at the next run.
    if (service) void resolversForRun(this.world.exec, true).catch(() => undefined);
    const { childWorld, keepProbeChildReady } = await probeRunner();
    keepProbeChildReady(service && (await childWorld({ source: 'daemon', service, shellEnv: this.world.env })).world);
  }

  /** `clawbar report`: a fresh status look (unless the agent has one) with the last probe run, fix history and node facts. */
  async report(service: ServiceEnvironment, settings: Settings, status?: StatusReport): Promise<DiagnosticsReport> {
    const [fresh, lastProbe, fixHistory, node] = await Promise.all([
      status ? this.withFixWatch(service, status) : this.status(service, settings, 'report'),
      this.keeper.lastProbe(),
      this.fixHistory(),
      nodeFacts(this.world.exec, this.world.platform),
    ]);
    const listenerWeekly = await this.keeper.weeklyListenerChanges(fresh.listeners.items);
    const [baseline, gatewayLog, { buildDiagnosticsReport }] = await Promise.all([lastProbe ? this.daemon.compare(lastProbe.report) : null, this.daemon.gatewayLogSummary(), reportBuilders()]);
    return { ...buildDiagnosticsReport({ service: service.facts, status: fresh, lastProbe, fixHistory, node, listenerWeekly, now: this.world.now() }), baseline, gatewayLog };
  }

  /** `clawbar report --allowlist`: the firewall-ticket rows with their probe commands and last results. */
  async allowlistExport(service: ServiceEnvironment): Promise<AllowlistExport> {
    const [allowlist, lastProbe, observed, { buildAllowlistExport }] = await Promise.all([loadAllowlist(this.world.files.allowlist), this.keeper.lastProbe(), this.daemon.allowlistObserved(service), allowlistBuilder()]);
    const doc = buildAllowlistExport({
      allowlist, gateway: service.facts.gateway, config: service.config, lastProbe, redactor: this.world.redactor,
      routeFor: (url) => decideRoute(new URL(url), service.env, service.managedProxy),
      caFile: service.env.NODE_EXTRA_CA_CERTS?.trim() || null,
    });
    return { ...doc, observed };
  }

  /** Exposition text from a status look and the last probe run; probes are not rerun here (their own schedule keeps the last run fresh). */
  async metrics(status: StatusReport): Promise<string> {
    const { renderMetrics } = await metricsRenderer();
    return renderMetrics({ status, lastProbe: await this.keeper.lastProbe(), version: CLAWBAR_VERSION, gatewayLog: await this.daemon.gatewayLogSummary() });
  }

  async fixHistory(): Promise<FixBundleSummary[]> {
    const { listFixBundles } = await fixEngine();
    return listFixBundles(this.world.files.bundles, () => this.bundleTrust());
  }

  /** What every fix is handed: tools, files, the audit log and probe log through the store, and how to read the service again. */
  private fixBase(run: FixRun, targets: ProbeTarget[]): Parameters<FixEngine['rollbackFix']>[1] {
    const { world, keeper } = this;
    return {
      exec: world.exec, env: world.env, platform: world.platform, faultAt: world.faultAt,
      files: { bundles: world.files.bundles, caDir: world.files.caDir },
      addSecrets: (...values) => { world.redactor.add(...values); },
      bundleTrust: () => this.bundleTrust(),
      audit: (record) => keeper.auditFix(record),
      keepProbeRun: (report, kept) => keeper.keepProbeRun(report, kept, { log: true, lastRun: true }),
      reloadService: (plistPath) => this.service(plistPath),
      targets, dnsServers: run.dnsServers ?? [], timeoutMs: run.timeoutMs ?? 8_000, restartTimeoutMs: run.restartTimeoutMs ?? DEFAULT_RESTART_TIMEOUT_MS,
    };
  }

  /** `clawbar fix ca|proxy|bind|clock`: plan, preview, pre-flight and, with mode apply, the transaction. */
  async fix(request: Parameters<FixEngine['runFix']>[0], mode: 'dry-run' | 'apply', run: FixRun & { force?: boolean; planId?: string } = {}): Promise<FixOutcome> {
    const { runFix } = await fixEngine();
    const service = await this.service(request.plistPath);
    const targets = await this.targets(service, run.targets, run.pins);
    return runFix(request, { ...this.fixBase(run, targets), service }, { mode, force: run.force, planId: run.planId, onStep: run.onStep });
  }

  /** `clawbar fix reapply ID`: a new plan from the request a recorded fix was made from, with full preview and pre-flight. */
  async reapply(id: string, mode: 'dry-run' | 'apply', run: FixRun & { force?: boolean; planId?: string } = {}): Promise<FixOutcome> {
    const { reapplyRequest } = await fixEngine();
    const request = await reapplyRequest(this.world.files.bundles, id, { bundleTrust: () => this.bundleTrust() }, mode);
    return 'schema' in request ? request : this.fix(request, mode, run);
  }

  async rollback(id: string | undefined, run: FixRun & { force?: boolean } = {}): Promise<FixOutcome> {
    const { rollbackFix } = await fixEngine();
    return rollbackFix(id, this.fixBase(run, []), { force: run.force, onStep: run.onStep });
  }
}
