import { join, resolve, sep } from 'node:path';
import { worstSeverity, type EnvReport, type EnvVariable, type LaunchdInfo, type ServiceInfo, type VariableSource } from '../contract.ts';
import type { Executor } from '../system/exec.ts';
import { fileFacts, isExecutable, readBoundedFile } from '../system/files.ts';
import { Redactor, argumentSecrets, redactVariable, secretFragments } from '../system/redact.ts';
import type { ManagedProxy } from '../probes/route.ts';
import { discoverServices, launchdFolders, type ServiceCandidate, type ServiceScope } from './discover.ts';
import { compareLoaded, processStartMs, type Drift } from './drift.ts';
import { mergeLayers, readDotenv, readEnvFile, type EnvFileFacts, type MergedVariable } from './env-layers.ts';
import { buildFindings } from './findings.ts';
import { gatewayInfo } from './gateway-info.ts';
import { resolveJobUser } from './job-user.ts';
import { queryLaunchctl, type LaunchctlState } from './launchctl.ts';
import { launchdBaseEnvironment } from './launchd-env.ts';
import { unwrapCommand, type ServiceLayout } from './layout.ts';
import { loadGatewayConfig, locateConfig, type GatewayConfig } from './openclaw-config.ts';
import { readLaunchdJob, type LaunchdJob } from './plist.ts';
import { diffShell, whichOnPath } from './shell-diff.ts';

export interface LoadOptions {
  plistPath?: string;
  /** HOME of the operator running clawbar; every default path derives from it. */
  home: string;
  /** Prefix for /Library when inspecting another root (a mounted disk); '' on a live system. */
  systemRoot: string;
  exec: Executor;
  /** The interactive shell's environment to compare against (the operator's). */
  shellEnv: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
}

/**
 * Everything clawbar knows about the gateway service, raw: `facts` in the
 * shape `clawbar env` prints (variables with their real values, flagged when
 * secret), the effective environment for the probe child, and the secret
 * values found, which the caller hands to the redactor that guards the exits.
 */
export interface ServiceEnvironment {
  facts: EnvReport;
  /** The effective environment: for starting the probe child and for fixes, never printed as is. */
  env: Record<string, string>;
  job: LaunchdJob | null;
  layout: ServiceLayout | null;
  config: GatewayConfig;
  /** OpenClaw's managed proxy, or null when off. */
  managedProxy: ManagedProxy | null;
  /** Every secret value read (shell, daemon, config, command line). */
  secrets: string[];
}

interface Picked { path: string | null; candidates: ServiceCandidate[]; because: string[] }

/** The job as launchd knows it: file, layout, scope, user, domain target and what is loaded now. */
interface JobFacts {
  job: LaunchdJob | null;
  layout: ServiceLayout | null;
  scope: ServiceScope;
  isDaemon: boolean;
  user: Awaited<ReturnType<typeof resolveJobUser>>;
  label: string | null;
  target: string | null;
  live: LaunchctlState | null;
}

interface Merged {
  merged: Map<string, MergedVariable>;
  effective: Record<string, string>;
  envFile: EnvFileFacts | null;
  location: ReturnType<typeof locateConfig>;
  config: GatewayConfig;
  workingDirectory: string;
}

function scopeOf(path: string, home: string, systemRoot: string): ServiceScope {
  const abs = resolve(path);
  for (const { dir, scope } of launchdFolders({ home, systemRoot })) if (abs.startsWith(dir + sep)) return scope;
  return 'user-agent';
}

async function pickService(options: LoadOptions): Promise<Picked> {
  if (options.plistPath) return { path: options.plistPath, candidates: [], because: ['given with --plist'] };
  const candidates = await discoverServices({ home: options.home, systemRoot: options.systemRoot });
  const best = candidates.find((candidate) => candidate.job !== null);
  return { path: best?.path ?? null, candidates, because: best?.reasons ?? [] };
}

async function readJob(picked: Picked, options: LoadOptions): Promise<JobFacts> {
  const job = picked.path ? await readLaunchdJob(picked.path) : null;
  const layout = job ? unwrapCommand(job) : null;
  const scope = picked.path ? scopeOf(picked.path, options.home, options.systemRoot) : 'user-agent';
  const isDaemon = scope === 'daemon';
  const user = job ? await resolveJobUser(options.exec, job.userName, isDaemon, options.home) : null;
  const label = job?.label ?? null;
  const target = label ? (isDaemon ? `system/${label}` : `gui/${user?.uid ?? process.getuid?.() ?? 501}/${label}`) : null;
  const live = target ? await queryLaunchctl(options.exec, target) : null;
  return { job, layout, scope, isDaemon, user, label, target, live };
}

/** launchd's base, the plist's inline variables, the wrapper's shell, the env file (which wins), then `<state>/.env`. */
async function mergeEnvironment(facts: JobFacts, options: LoadOptions): Promise<Merged> {
  const { job, layout, isDaemon, user, label, live } = facts;
  const liveJob = live?.status === 'loaded' ? live.job : null;
  const tmp = !isDaemon && options.platform === 'darwin' ? await options.exec('getconf', ['DARWIN_USER_TEMP_DIR'], { timeoutMs: 2_000, maxBytes: 4096 }) : null;
  const base = job ? launchdBaseEnvironment({ domain: isDaemon ? 'system' : 'gui', label: label ?? '', user, tmpdir: tmp?.code === 0 ? tmp.stdout.trim() : null, live: liveJob }) : {};
  const inline = job?.environmentVariables ?? {};
  const workingDirectory = job?.workingDirectory ?? '/';
  const envFile = layout?.kind === 'env-wrapper' && layout.envFilePath ? await readEnvFile(layout.envFilePath, { ...base, ...inline }) : null;
  const fileLayer: Record<string, string> = {};
  for (const [name, assignment] of envFile?.result?.assigned ?? []) fileLayer[name] = assignment.value;
  // /bin/sh exports PWD (the job's working directory) to the command it execs.
  const shellLayer: Record<string, string> = layout?.kind === 'env-wrapper' ? { PWD: workingDirectory } : {};
  const layers: Array<[VariableSource, Record<string, string>]> = [['launchd', base], ['inline', inline], ['shell', shellLayer], ['file', fileLayer]];
  const merged = mergeLayers(layers, envFile?.result?.removed ?? new Set());

  const effective: Record<string, string> = Object.fromEntries([...merged].map(([name, v]) => [name, v.value]));
  const location = locateConfig(effective, user?.home ?? options.home, label);
  const config = await loadGatewayConfig(location.path);
  for (const [name, value] of Object.entries(await readDotenv(join(location.stateDir, '.env'), effective))) {
    merged.set(name, { value, source: 'dotenv', overrides: [] });
    effective[name] = value;
  }
  return { merged, effective, envFile, location, config, workingDirectory };
}

/** What launchd has loaded against what is on disk: changed arguments or inline variables, an env file newer than the process. */
async function launchdDrift(facts: JobFacts, envFile: EnvFileFacts | null, exec: Executor): Promise<LaunchdInfo> {
  const { job, live, label } = facts;
  const liveJob = live?.status === 'loaded' ? live.job : null;
  const drift: Drift[] = [];
  if (liveJob && job) {
    drift.push(...compareLoaded(liveJob, job.programArguments ?? [], job.environmentVariables ?? {}, label));
    if (liveJob.pid !== null && envFile?.mtimeMs) {
      const started = await processStartMs(exec, liveJob.pid);
      if (started !== null && envFile.mtimeMs > started + 1000) {
        drift.push({ what: 'env file', detail: `${envFile.path} changed after the gateway started (pid ${liveJob.pid}); the running process still has the old values` });
      }
    }
  }
  return {
    status: live?.status ?? 'unavailable',
    target: facts.target,
    message: live && live.status !== 'loaded' ? live.message : null,
    running: liveJob ? liveJob.running : null,
    pid: liveJob?.pid ?? null,
    lastExitCode: liveJob?.lastExitCode ?? null,
    lastSignal: liveJob?.lastSignal ?? null,
    drift,
  };
}

function serviceInfo(picked: Picked, facts: JobFacts, m: Merged, nodePath: string | null, nodeExists: boolean): ServiceInfo | null {
  const { job, layout, user, isDaemon } = facts;
  if (!job || !picked.path || !layout) return null;
  return {
    plistPath: picked.path,
    label: facts.label,
    scope: facts.scope,
    domainTarget: facts.target,
    format: job.format,
    layout: layout.kind,
    wrapperPath: layout.kind === 'env-wrapper' ? layout.wrapperPath : null,
    envFilePath: layout.kind === 'env-wrapper' ? layout.envFilePath : null,
    userName: user?.name ?? job.userName ?? (isDaemon ? 'root' : null),
    workingDirectory: m.workingDirectory,
    command: layout.command ?? [],
    nodePath,
    nodeExists,
    keepAlive: typeof job.keepAlive === 'boolean' ? job.keepAlive : job.keepAlive ? true : null,
    runAtLoad: job.runAtLoad,
    stdoutPath: job.standardOutPath,
    stderrPath: job.standardErrorPath,
    discovery: {
      chosenBecause: picked.because,
      candidates: picked.candidates.map((c) => ({ path: c.path, scope: c.scope, label: c.job?.label ?? null, score: c.score, reasons: c.reasons, error: c.error })),
    },
  };
}

/**
 * Builds the gateway daemon's effective environment in its steps: pick the
 * service → read the job → merge launchd's layers → the gateway it implies →
 * drift against what launchd loaded → findings. Nothing is redacted here:
 * `secrets` says what must be, and the exits do it.
 */
export async function loadServiceEnvironment(options: LoadOptions): Promise<ServiceEnvironment> {
  const picked = await pickService(options);
  const job = await readJob(picked, options);
  const m = await mergeEnvironment(job, options);
  const { effective, config } = m;

  const secretList = new Set<string>([...config.secrets, ...argumentSecrets(job.job?.programArguments ?? [])]);
  for (const vars of [options.shellEnv, effective]) for (const [name, value] of Object.entries(vars)) if (value !== undefined) for (const s of secretFragments(name, value)) secretList.add(s);
  const secrets = [...secretList];
  const scrub = new Redactor().add(...secrets);

  const command = job.layout?.command ?? [];
  const nodePath = command[0] ? whichOnPath(command[0], effective.PATH) ?? command[0] : null;
  const nodeExists = nodePath ? await isExecutable(nodePath) : false;
  // proxy.proxyUrl beats OPENCLAW_PROXY_URL (OpenClaw's network-proxy docs).
  const managedUrl = config.proxyUrl ?? (effective.OPENCLAW_PROXY_URL?.trim() || null);
  const managedProxy: ManagedProxy | null = managedUrl ? { url: managedUrl, loopbackMode: config.proxyLoopbackMode } : null;
  const gateway = gatewayInfo(command, effective, config, m.location, managedUrl);
  const launchd = await launchdDrift(job, m.envFile, options.exec);

  const variables: EnvVariable[] = [...m.merged].sort(([a], [b]) => a.localeCompare(b)).map(([name, v]) => ({
    name, value: v.value, source: v.source, overrides: v.overrides, redacted: redactVariable(name, v.value).redacted || scrub.text(v.value) !== v.value,
  }));
  const wrapperText = job.layout?.kind === 'env-wrapper' ? await readBoundedFile(job.layout.wrapperPath, 64 * 1024).then((b) => b.toString('utf8'), (e: Error) => e) : null;
  const plistFacts = picked.path ? await fileFacts(picked.path) : { exists: false };
  const shellDiff = job.job ? diffShell(options.shellEnv, effective, nodeExists ? nodePath : null) : [];
  const findings = buildFindings({
    discovered: picked, job: job.job, layout: job.layout, envFile: m.envFile, wrapperText, plistMode: plistFacts.mode ?? null, inline: job.job?.environmentVariables ?? {},
    effective, config, gateway, launchd, nodePath, nodeExists, configPath: m.location.path, shellDiff,
  });
  const facts: EnvReport = {
    schema: 'clawbar.env/1',
    overall: worstSeverity(findings),
    service: serviceInfo(picked, job, m, nodePath, nodeExists),
    environment: { variables, redactedKeys: variables.filter((v) => v.redacted).map((v) => v.name) },
    gateway,
    launchd,
    shellDiff,
    findings,
  };
  return { facts, env: effective, job: job.job, layout: job.layout, config, managedProxy, secrets };
}
