import { sortBySeverity, viewRemedy, worstSeverity, type ClockReport, type DownVerdict, type EdgesReport, type Finding, type HealthReport, type ListenersReport, type ProbeReport, type StatusReport } from '../contract.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import type { Settings } from '../settings.ts';
import type { Executor } from '../system/exec.ts';
import { measureClock } from './clock.ts';
import { gatherDownFacts } from './down-facts.ts';
import { decideDown } from './down-verdict.ts';
import { inspectEdges } from './edges.ts';
import { HealthTracker, sampleHealth } from './health.ts';
import { healthFindings } from './health-findings.ts';
import { scanListeners, type ListenerMemory } from './listeners.ts';

export interface StatusOptions {
  service: ServiceEnvironment;
  settings: Settings;
  exec: Executor;
  /** The store's listener memory (baseline, first-seen times). */
  listenerMemory: ListenerMemory;
  platform: NodeJS.Platform;
  /** Pause before the confirming second health probe after a failure. */
  retryDelayMs?: number;
  /** Inspect every way in (`clawbar edges`) as part of this look. */
  edges?: boolean;
  /** The daemon's last probe run, read only when the verdict needs it. */
  lastProbe?: () => Promise<ProbeReport | null>;
}

/**
 * One gateway health look: a failure is confirmed by a second probe shortly
 * after, so "down" means two consecutive failures, as in the health loop.
 */
export async function healthOnce(baseUrl: string, settings: Settings, retryDelayMs = 1_000): Promise<HealthReport> {
  const tracker = new HealthTracker(`${baseUrl}/health`, { okP95Ms: settings.healthOkP95Ms, degradedP95Ms: settings.healthDegradedP95Ms });
  let report = tracker.add(await sampleHealth(baseUrl, tracker.thresholds.timeoutMs));
  if (report.consecutiveFailures > 0) {
    await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
    report = tracker.add(await sampleHealth(baseUrl, tracker.thresholds.timeoutMs));
  }
  return report;
}

/**
 * One status report from the three glance answers: their findings worst
 * first, the overall state the worst of them. `clawbar status` adds the [::1]
 * check and the service findings; the app composes its latest answers the same way.
 */
export function composeStatus(parts: { health: HealthReport; listeners: ListenersReport; clock: ClockReport }, settings: Settings, extra: { gateway?: Finding[]; service?: Finding[]; edges?: EdgesReport | null; verdict?: DownVerdict | null } = {}): StatusReport {
  const { health, listeners, clock } = parts;
  const verdict = extra.verdict ?? null;
  // The down finding says why when the verdict knows: one line, its evidence, its action.
  const gatewayFindings = healthFindings(health, settings).map((f) => (f.id === 'gateway.down' && verdict ? { ...f, title: verdict.line, detail: verdict.evidence.join('; '), fix: verdict.action, remedy: verdict.remedy } : f));
  if (verdict && health.state !== 'down') gatewayFindings.push({ id: 'gateway.service-down', severity: 'warn', title: `The gateway service is not what answers: ${verdict.line}`, detail: verdict.evidence.join('; '), fix: verdict.action, remedy: verdict.remedy });
  const findings = sortBySeverity([...gatewayFindings, ...(extra.gateway ?? []), ...listeners.findings, ...clock.findings, ...(extra.edges?.findings ?? []), ...(extra.service ?? [])]);
  return { schema: 'clawbar.status/1', overall: worstSeverity(findings), gateway: health, listeners, clock, findings, ...(extra.edges !== undefined ? { edges: extra.edges } : {}), ...(extra.verdict !== undefined ? { verdict } : {}) };
}

/** The three glance answers plus the worst service-environment findings, in one report; the caller keeps what it wants of it. */
export async function takeStatus(options: StatusOptions): Promise<StatusReport> {
  const { service, settings } = options;
  const gateway = service.facts.gateway;
  const base = gateway.healthUrl.replace(/\/health$/, '');
  // A loopback gateway listens on [::1] too; clients resolving localhost to ::1 fail if that side is dead.
  const v6Url = gateway.bind === 'loopback' ? `http://[::1]:${gateway.port}` : null;
  const scan = scanListeners({ exec: options.exec, memory: options.listenerMemory, platform: options.platform, gatewayPort: gateway.port, authMode: gateway.authMode, exceptions: settings.listenerExceptions.map((e) => e.port) });
  const edgesLook = options.edges ? scan.then((l) => inspectEdges({ exec: options.exec, platform: options.platform, service: service.facts, env: service.env, listeners: l.items })) : Promise.resolve(undefined);
  const [health, listeners, clock, v6Sample, edges] = await Promise.all([
    healthOnce(base, settings, options.retryDelayMs),
    scan,
    measureClock({
      server: settings.ntpServer || undefined, exec: options.exec, warnMs: settings.clockWarnMs, criticalMs: settings.clockCriticalMs,
      httpDateUrls: settings.clockHttpDateUrls, timeoutMs: 1_000, samples: 3,
    }),
    v6Url ? sampleHealth(v6Url, 2_000) : Promise.resolve(null),
    edgesLook,
  ]);
  // A loaded job that is not running while something answers on its port: the answer is not the service's.
  const serviceIdle = service.facts.launchd.status === 'loaded' && service.facts.launchd.running === false;
  const verdict = health.state === 'down' || serviceIdle
    ? decideDown(await gatherDownFacts({ exec: options.exec, service: service.facts, listeners: listeners.items, lastProbe: (await options.lastProbe?.()) ?? null }))
    : null;
  const serviceFindings = service.facts.findings.filter((f) => f.severity !== 'ok');
  const v6: Finding[] = [];
  if (v6Sample && !v6Sample.ok && health.state !== 'down') {
    v6.push({ id: 'gateway.ipv6-loopback', severity: 'warn', title: `The gateway answers on 127.0.0.1 but not on [::1]:${gateway.port} (${v6Sample.error})`, detail: 'Clients that resolve localhost to ::1 will fail.', fix: 'Check gateway.bind and whether IPv6 is disabled on lo0', remedy: viewRemedy('listeners', 'ifconfig lo0 inet6') });
  }
  return composeStatus({ health, listeners, clock }, settings, { gateway: v6, service: serviceFindings, edges, verdict });
}
