import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { worstSeverity, type Finding, type ProbeReport, type ProbeResult, type ProbeTarget } from '../contract.ts';
import { appendJsonLines } from '../report/jsonl-log.ts';
import { lastProbePath, saveLastProbe } from '../report/last-probe.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import { whichOnPath } from '../service/shell-diff.ts';
import { clawbarPaths } from '../system/paths.ts';
import { Redactor } from '../system/redact.ts';
import { spawnProbeChild } from './runner.ts';
import { suiteFindings } from './suite-findings.ts';
import { isExecutable } from '../system/files.ts';
import { nameserversFor, systemResolvers } from './scutil-dns.ts';
import { execCommand, type Executor } from '../system/exec.ts';

export interface SuiteOptions {
  /** The daemon's world (service environment) or the caller's own (`--shell-env`). */
  source: 'daemon' | 'shell';
  service: ServiceEnvironment | null;
  targets: ProbeTarget[];
  dnsServers: string[];
  timeoutMs: number;
  shellEnv?: Record<string, string | undefined>;
  onProgress?: (target: string, phase: string) => void;
  onResult?: (result: ProbeResult) => void;
  exec?: Executor;
  /** JSON-lines log to append to; null to skip. Defaults to <logDir>/probes.jsonl. */
  logPath?: string | null;
  /** Where the run is kept for reports and metrics; null to skip. Defaults to <stateDir>/last-probe.json. */
  lastRunPath?: string | null;
}

/**
 * Runs the probe suite in a child whose whole environment is the one under
 * test: the daemon's effective environment and its own node binary (falling
 * back to this Node when that binary is missing or cannot run the child), or
 * the caller's shell. Appends one redacted line per probe to the JSON-lines log.
 */
export async function runProbeSuite(options: SuiteOptions): Promise<ProbeReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const traceId = randomUUID();
  const shellEnv = options.shellEnv ?? process.env;
  const service = options.service;
  const redactor = service?.redactor ?? new Redactor();
  redactor.addEnvironment(shellEnv);
  const env: Record<string, string> = options.source === 'daemon' && service
    ? { ...service.env }
    : Object.fromEntries(Object.entries(shellEnv).filter((e): e is [string, string] => e[1] !== undefined));
  const daemonNode = options.source === 'daemon' ? service?.report.service?.nodePath ?? null : null;
  const shellNode = whichOnPath('node', shellEnv.PATH) ?? process.execPath;
  let execPath = options.source === 'daemon' ? daemonNode : shellNode;
  let note: string | null = null;
  if (!execPath || !(await isExecutable(execPath))) {
    note = execPath ? `the daemon's node ${execPath} does not exist here; probes ran with ${process.execPath}` : `no node binary named by the service; probes ran with ${process.execPath}`;
    execPath = process.execPath;
  }
  const cwd = options.source === 'daemon' && service?.report.service?.workingDirectory && await isExecutable(service.report.service.workingDirectory)
    ? service.report.service.workingDirectory : (env.HOME ?? homedir());
  const managedProxy = options.source === 'daemon' ? service?.managedProxy ?? null : null;
  // On macOS the resolvers getaddrinfo uses are queried directly too, to tell NXDOMAIN from SERVFAIL and spot disagreement.
  const scutil = options.dnsServers.length === 0 ? await systemResolvers(options.exec ?? execCommand) : [];
  const compareResolvers = Object.fromEntries(options.targets.map((t) => {
    const host = new URL(t.url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
    return [host, nameserversFor(host, scutil)];
  }));
  const request = { targets: options.targets, dnsServers: options.dnsServers, compareResolvers, timeoutMs: options.timeoutMs, managedProxy };
  let run = await spawnProbeChild({ execPath, env, cwd, request, onProgress: options.onProgress, onResult: options.onResult });
  if (run.failure && run.results.length === 0 && execPath !== process.execPath) {
    note = `${run.failure}; probes ran again with ${process.execPath}`;
    run = await spawnProbeChild({ execPath: process.execPath, env, cwd, request, onProgress: options.onProgress, onResult: options.onResult });
  }
  if (run.failure && run.results.length === 0) throw new Error(run.failure);
  const order = new Map(options.targets.map((t, i) => [t.url, i]));
  const results = run.results.sort((a, b) => (order.get(a.target) ?? 0) - (order.get(b.target) ?? 0));
  const byLayer: Record<string, number> = {};
  for (const r of results) if (r.layer) byLayer[r.layer] = (byLayer[r.layer] ?? 0) + 1;
  const findings = suiteFindings(results, note);
  const report: ProbeReport = redactor.deep({
    schema: 'clawbar.probe/1',
    traceId,
    startedAt,
    overall: worstSeverity(findings),
    environment: { source: options.source, plistPath: service?.report.service?.plistPath ?? null },
    runtime: { execPath: run.runtime?.execPath ?? execPath, nodeVersion: run.runtime?.nodeVersion ?? 'unknown', openssl: run.runtime?.openssl ?? 'unknown', daemonNode, note },
    results,
    summary: { total: results.length, ok: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length, byLayer, durationMs: Math.round(performance.now() - started) },
    findings,
  } satisfies ProbeReport);
  const pathEnv = { ...process.env, HOME: shellEnv.HOME ?? process.env.HOME };
  const logPath = options.logPath === undefined ? join(clawbarPaths(pathEnv).logDir, 'probes.jsonl') : options.logPath;
  if (logPath) {
    await appendJsonLines(logPath, report.results.map((r) => ({
      time: report.startedAt, traceId, event: 'probe', source: options.source, target: r.target, kind: r.kind, ok: r.ok, layer: r.layer,
      errorCode: r.error?.code ?? null, via: r.via, status: r.http?.status ?? null, phases: r.phases,
    })));
  }
  const lastRunPath = options.lastRunPath === undefined ? lastProbePath(pathEnv) : options.lastRunPath;
  if (lastRunPath) await saveLastProbe(lastRunPath, { schema: 'clawbar.last-probe/1', savedAt: new Date().toISOString(), targets: redactor.deep(options.targets), report });
  return report;
}
