import { join } from 'node:path';
import type { ProbeReport } from '../contract.ts';
import type { Progress } from '../ipc-contract.ts';
import { runProbeSuite } from '../probes/suite.ts';
import { defaultTargets, loadAllowlist } from '../probes/targets.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import type { Executor } from '../system/exec.ts';
import { clawbarPaths } from '../system/paths.ts';

export interface ProbeRunInput {
  world: 'daemon' | 'shell';
  service: ServiceEnvironment;
  home: string;
  shellEnv: Record<string, string | undefined>;
  exec?: Executor;
  timeoutMs: number;
  logPath: string;
  onProgress: (progress: Progress) => void;
}

/**
 * The suite as `clawbar probe` runs it (the targets the daemon's config
 * implies plus the operator's allowlist), reporting each phase as progress
 * so the probes view can show a long run moving.
 */
export async function probeWorld(input: ProbeRunInput): Promise<ProbeReport> {
  const { service, world } = input;
  const allowlist = await loadAllowlist(join(clawbarPaths({ ...process.env, HOME: input.home }).configDir, 'allowlist.yaml'));
  const targets = defaultTargets(service.report.gateway, service.config, allowlist);
  let done = 0;
  const progress = (target: string, phase: string) => input.onProgress({ kind: 'probe', world, target, phase, done, total: targets.length });
  return runProbeSuite({
    source: world, service, targets, dnsServers: [], timeoutMs: input.timeoutMs, shellEnv: input.shellEnv, exec: input.exec,
    logPath: input.logPath, onProgress: progress, onResult: (result) => { done++; progress(result.target, 'done'); },
  });
}
