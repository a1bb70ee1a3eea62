import { sortBySeverity, viewRemedy, worstSeverity, type AllowlistObserved, type BaselineComparison, type DaemonRuntime, type Finding, type GatewayLogErrors, type NodeBinary, type ProbeBaseline, type ProbeReport, type StatusReport } from '../contract.ts';
import { classifyRecord, type LogContext } from '../glance/gateway-log.ts';
import { activeLogFiles, readNewLines } from '../glance/gateway-log-files.ts';
import { compareBaseline, toBaseline } from '../probes/baseline.ts';
import { decideRoute } from '../probes/route.ts';
import { loadAllowlist } from '../probes/targets.ts';
import { compareWithAllowlist } from '../report/allowlist-observed.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import { nodeBinary } from '../service/node-binary.ts';
import { loadDaemonRuntime, saveDaemonRuntime } from '../store/daemon-runtime.ts';
import { loadEgress } from '../store/egress-store.ts';
import { countRecord, hourOf, loadLogState, pruneHours, saveLogState, summarise } from '../store/gateway-log-store.ts';
import { baselinesStamp, listBaselines, loadBaseline, recentRuns, saveBaseline } from '../store/probe-baselines.ts';
import type { World } from '../world.ts';
import { EgressSampler, rowViaProxy, type ObserveRequest } from './egress.ts';

/** What each layer's count asks the operator to do. */
const LAYER_FIX: Record<string, string> = {
  'proxy-auth': 'The proxy wants credentials the gateway does not send: fix the proxy URL (clawbar fix proxy)',
  proxy: 'Check the proxy the gateway uses (clawbar probe shows the layer behind it)',
  'tls-trust': "Trust the inspecting proxy's CA for the gateway (clawbar fix ca)",
  'tls-name': 'The certificate does not name the host: check the host, SNI and any interception',
  'tls-clock': 'Check the clock (clawbar clock) and the certificate dates',
  dns: "Check the daemon's resolvers (clawbar probe compares them)",
  'rate-limit': 'The provider throttles or is overloaded: check quotas and retry budgets',
};

/** Most of a gateway's log says nothing about failures: lines without one of these words skip the JSON parse. */
const quiet = (line: string) => !/fail|error|refused|timed? ?out|\b(?:407|429|502|503)\b|proxy|cert|ENOTFOUND|EAI_|ECONN|ETIMEDOUT|TLS|SSL/i.test(line);

/**
 * The daemon's world as a tool, for the session: the gateway's own log
 * errors (read incrementally, kept per hour), probe baselines and their
 * comparison, and egress observation. The session owns one; the CLI and the
 * agent reach it through the session.
 */
export class DaemonWorld {
  private readonly world: World;
  private readonly noticed = new Map<string, string>();
  private sampler: EgressSampler | null = null;
  /** The newest baseline as last listed, with the folder's modification time then. */
  private newest: { stamp: number; value: { name: string; savedAt: string } | null } | null = null;

  constructor(world: World) {
    this.world = world;
  }

  private logContext(service: ServiceEnvironment): LogContext {
    const providers = new Map(service.config.providerBaseUrls.map((p) => { try { return [p.id, new URL(p.url).hostname.replace(/^\[|\]$/g, '')] as const; } catch { return [p.id, ''] as const; } }));
    return {
      providerHost: (id) => providers.get(id) || null,
      viaProxy: (host) => { try { return decideRoute(new URL(`https://${host.includes(':') ? `[${host}]` : host}/`), service.env, service.managedProxy).via === 'proxy'; } catch { return false; } },
    };
  }

  /** Reads what the gateway logged since the last read, counts its errors per layer, host and hour, and keeps that. */
  async readGatewayLog(service: ServiceEnvironment): Promise<GatewayLogErrors> {
    const now = this.world.now();
    const path = this.world.files.gatewayLogState;
    const state = await loadLogState(path, now);
    const files = activeLogFiles({ configured: service.config.logFile ?? null, env: service.env, uid: process.getuid?.() ?? null, now });
    const context = this.logContext(service);
    const { cursors, read } = await readNewLines(files, state.cursors, (line) => {
      if (quiet(line)) return;
      let record: unknown;
      try { record = JSON.parse(line); } catch { return; }
      if (!record || typeof record !== 'object' || Array.isArray(record)) return;
      const found = classifyRecord(record as Record<string, unknown>, context);
      if (found) countRecord(state, hourOf((record as { time?: unknown }).time, now), found);
    });
    state.cursors = cursors;
    pruneHours(state, now);
    await saveLogState(path, state);
    return summarise(state, read.length ? read : files, read.length > 0, now);
  }

  /** The kept counts without reading further (for metrics built from an agent's status). */
  async gatewayLogSummary(): Promise<GatewayLogErrors> {
    const now = this.world.now();
    return summarise(await loadLogState(this.world.files.gatewayLogState, now), [], true, now);
  }

  /** Status findings: one per layer the gateway logged errors in during the last hour. */
  logFindings(summary: GatewayLogErrors): Finding[] {
    return Object.entries(summary.lastHour.byLayer).filter(([, n]) => n > 0).map(([layer, count]) => {
      const top = summary.lastHour.byHost.find((h) => h.layer === layer);
      const jumped = summary.jumps.some((j) => j.layer === layer);
      const command = top && top.host !== 'unknown' && top.host !== 'other' ? `clawbar probe --target https://${top.host.includes(':') ? `[${top.host}]` : top.host}/` : 'clawbar probe';
      return {
        id: `gateway-log.${layer}`, severity: 'warn' as const,
        title: `The gateway logged ${count} ${layer} error${count === 1 ? '' : 's'} in the last hour${top ? ` (most for ${top.host})` : ''}${jumped ? ': the rate jumped' : ''}`,
        fix: LAYER_FIX[layer] ?? 'Probe the host under the daemon\'s environment', remedy: viewRemedy('probes', command),
      };
    });
  }

  /** A status report with the gateway's log errors among its findings; reading the log is never why status fails. */
  async withLogFindings(service: ServiceEnvironment, report: StatusReport): Promise<StatusReport> {
    const summary = await this.readGatewayLog(service).catch(() => null);
    const found = summary ? this.logFindings(summary) : [];
    if (found.length === 0) return report;
    const findings = sortBySeverity([...report.findings.filter((f) => !f.id.startsWith('gateway-log.')), ...found]);
    return { ...report, findings, overall: worstSeverity(findings) };
  }

  /** Notices for the agent: a layer whose rate jumped, once per layer and hour. */
  async logNotices(service: ServiceEnvironment | null): Promise<Array<{ id: string; title: string; body: string; view: 'history' }>> {
    if (!service) return [];
    const summary = await this.readGatewayLog(service);
    return summary.jumps.flatMap((jump) => {
      const hour = summary.lastHour.from;
      if (this.noticed.get(jump.layer) === hour) return [];
      this.noticed.set(jump.layer, hour);
      const top = summary.lastHour.byHost.find((h) => h.layer === jump.layer);
      return [{ id: `gateway-log.${jump.layer}`, title: `Gateway ${jump.layer} errors jumped`, body: `${jump.lastHour} in the last hour (usually ${jump.usualPerHour}/h)${top ? `, most for ${top.host}` : ''}.`, view: 'history' as const }];
    });
  }

  /** Keeps the last probe run as baseline NAME (redacted; the targets as they were asked). */
  async saveBaseline(name: string, report: ProbeReport, asked: Parameters<typeof toBaseline>[2]): Promise<ProbeBaseline> {
    const baseline = this.world.redactor.deep(toBaseline(name, report, asked, this.world.now()));
    await saveBaseline(this.world.files.probeBaselines, baseline);
    return baseline;
  }

  baseline(name: string): Promise<ProbeBaseline | null> {
    return loadBaseline(this.world.files.probeBaselines, name);
  }

  /**
   * The newest saved baseline's name and time, or null. The upgrade watch
   * asks every health look while a regression stands: the folder is listed
   * and its files read again only when its modification time moved.
   */
  async newestBaseline(): Promise<{ name: string; savedAt: string } | null> {
    const dir = this.world.files.probeBaselines;
    const stamp = await baselinesStamp(dir);
    if (stamp !== null && this.newest?.stamp === stamp) return this.newest.value;
    const value = (await listBaselines(dir))[0] ?? null;
    // A folder changed within the last second may change again within the same tick of the file system's clock (so against that clock, not the world's).
    this.newest = stamp !== null && Date.now() - stamp > 1_000 ? { stamp, value } : null;
    return value;
  }

  baselineNames(): Promise<string[]> {
    return listBaselines(this.world.files.probeBaselines).then((list) => list.map((b) => b.name));
  }

  /** A run against a baseline (the named one, else the newest), with the recent runs of the probe log. */
  async compare(latest: ProbeReport, name?: string): Promise<BaselineComparison | null> {
    const chosen = name ?? (await listBaselines(this.world.files.probeBaselines))[0]?.name;
    const baseline = chosen ? await this.baseline(chosen) : null;
    if (!baseline) return null;
    return compareBaseline(baseline, latest, await recentRuns(this.world.files.probeLog), this.world.now());
  }

  egressSampler(service: ServiceEnvironment): EgressSampler {
    return new EgressSampler(this.world, service);
  }

  /**
   * The watcher's continuous sampling: one sample merged into the kept
   * window, by one sampler kept across samples (a socket that lives across
   * them counts once) that follows the service as it is read again.
   */
  sampleEgress(service: ServiceEnvironment): Promise<number | 'no-gateway' | 'unavailable'> {
    this.sampler = this.sampler ? this.sampler.follow(service) : this.egressSampler(service);
    return this.sampler.sampleAndKeep();
  }

  /** What was last seen of the gateway's version and node binary, and the last automatic comparison. */
  daemonRuntime(): Promise<DaemonRuntime> {
    return loadDaemonRuntime(this.world.files.daemonRuntime);
  }

  keepDaemonRuntime(state: DaemonRuntime): Promise<void> {
    return saveDaemonRuntime(this.world.files.daemonRuntime, this.world.redactor.deep(state));
  }

  /** The node binary at `path` now (its version asked only when the file moved since `known`). */
  nodeBinary(path: string, known: NodeBinary | null): Promise<NodeBinary | null> {
    return nodeBinary(this.world.exec, path, known);
  }

  observeEgress(service: ServiceEnvironment, request: ObserveRequest) {
    return this.egressSampler(service).observe(request);
  }

  /** The allowlist against the kept observations, for `report --allowlist`. */
  async allowlistObserved(service: ServiceEnvironment): Promise<AllowlistObserved | null> {
    const [rows, kept] = await Promise.all([loadAllowlist(this.world.files.allowlist), loadEgress(this.world.files.egressObservations)]);
    return compareWithAllowlist(rows, kept, rowViaProxy(service));
  }
}
