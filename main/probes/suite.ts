import { randomUUID } from 'node:crypto';
import { worstSeverity, type Finding, type ProbeReport, type ProbeResult, type ProbeTarget } from '../contract.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import { childWorld, startProbeChild } from './runner.ts';
import { suiteFindings } from './suite-findings.ts';
import { nameserversFor, resolversForRun } from './scutil-dns.ts';
import type { Executor } from '../system/exec.ts';

export interface SuiteOptions {
  /** The daemon's world (service environment) or the caller's own (`--shell-env`). */
  source: 'daemon' | 'shell';
  service: ServiceEnvironment | null;
  targets: ProbeTarget[];
  dnsServers: string[];
  timeoutMs: number;
  /** The operator's environment: the world under `--shell-env`, and where this Node's fallback comes from. */
  shellEnv: Readonly<Record<string, string | undefined>>;
  onProgress?: (target: string, phase: string) => void;
  onResult?: (result: ProbeResult) => void;
  exec: Executor;
}

/**
 * Runs the probe suite in a child whose whole environment is the one under
 * test: the daemon's effective environment and its own node binary (falling
 * back to this Node when that binary is missing or cannot run the child), or
 * the caller's shell. Returns the run; the caller decides what is kept.
 */
export async function runProbeSuite(options: SuiteOptions): Promise<ProbeReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const traceId = randomUUID();
  const service = options.service;
  const { world, daemonNode, note: worldNote } = await childWorld(options);
  let note = worldNote;
  const hosts = options.targets.map((t) => new URL(t.url).hostname.replace(/^\[|\]$/g, '').toLowerCase());
  // Started before the resolver lookup, so its start-up overlaps it; stopped if that lookup fails.
  const child = startProbeChild(world);
  const callbacks = { onProgress: options.onProgress, onResult: options.onResult };
  const managedProxy = options.source === 'daemon' ? service?.managedProxy ?? null : null;
  // On macOS the resolvers getaddrinfo uses are queried directly too, to tell NXDOMAIN from SERVFAIL and spot disagreement.
  const scutil = options.dnsServers.length === 0 ? await resolversForRun(options.exec).catch((error: unknown) => { child.stop(); throw error; }) : [];
  const compareResolvers = Object.fromEntries(hosts.map((host) => [host, nameserversFor(host, scutil)]));
  const request = { targets: options.targets, dnsServers: options.dnsServers, compareResolvers, timeoutMs: options.timeoutMs, managedProxy };
  let run = await child.probe(request, callbacks);
  if (run.failure && run.results.length === 0 && world.execPath !== process.execPath) {
    note = `${run.failure}; probes ran again with ${process.execPath}`;
    run = await startProbeChild({ ...world, execPath: process.execPath }).probe(request, callbacks);
  }
  if (run.failure && run.results.length === 0) throw new Error(run.failure);
  const order = new Map(options.targets.map((t, i) => [t.url, i]));
  const results = run.results.sort((a, b) => (order.get(a.target) ?? 0) - (order.get(b.target) ?? 0));
  const byLayer: Record<string, number> = {};
  for (const r of results) if (r.layer) byLayer[r.layer] = (byLayer[r.layer] ?? 0) + 1;
  const findings = suiteFindings(results, note);
  return {
    schema: 'clawbar.probe/1',
    traceId,
    startedAt,
    overall: worstSeverity(findings),
    environment: { source: options.source, plistPath: service?.facts.service?.plistPath ?? null },
    runtime: { execPath: run.runtime?.execPath ?? world.execPath, nodeVersion: run.runtime?.nodeVersion ?? 'unknown', openssl: run.runtime?.openssl ?? 'unknown', daemonNode, note },
    results,
    summary: { total: results.length, ok: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length, byLayer, durationMs: Math.round(performance.now() - started) },
    findings,
  } satisfies ProbeReport;
}
