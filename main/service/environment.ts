import { homedir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { worstSeverity, type EnvReport, type EnvVariable, type GatewayInfo, type LaunchdInfo, type ServiceInfo, type VariableSource } from '../contract.ts';
import { InputError } from '../system/errors.ts';
import { execCommand, type Executor } from '../system/exec.ts';
import { fileFacts, isExecutable, readBoundedFile } from '../system/files.ts';
import { Redactor, argumentSecrets, redactVariable } from '../system/redact.ts';
import { discoverServices, launchdFolders, type ServiceCandidate, type ServiceScope } from './discover.ts';
import { compareLoaded, processStartMs, type Drift } from './drift.ts';
import { evaluateEnvFile, type EnvFileResult } from './env-file.ts';
import { resolveJobUser } from './job-user.ts';
import { queryLaunchctl, type LaunchctlState } from './launchctl.ts';
import { launchdBaseEnvironment } from './launchd-env.ts';
import { portFromArgs, unwrapCommand, type ServiceLayout } from './layout.ts';
import { DEFAULT_GATEWAY_PORT, loadGatewayConfig, locateConfig, profileDefaultPort, type GatewayConfig } from './openclaw-config.ts';
import { readLaunchdJob, type LaunchdJob } from './plist.ts';
import { diffShell, whichOnPath } from './shell-diff.ts';
import type { ManagedProxy } from '../probes/route.ts';
import { buildFindings } from './findings.ts';

export interface LoadOptions {
  plistPath?: string;
  /** HOME of the operator running clawbar; every default path derives from it. */
  home?: string;
  /** Prefix for /Library when inspecting another root (a mounted disk); '' on a live system. */
  systemRoot?: string;
  exec?: Executor;
  /** The interactive shell's environment to compare against (the CLI's own). */
  shellEnv?: Record<string, string | undefined>;
}

/** Everything clawbar knows about the gateway service; the CLI prints `report`, the engine uses the rest. */
export interface ServiceEnvironment {
  report: EnvReport;
  /** The effective environment, unredacted: only for starting the probe child, never for output. */
  env: Record<string, string>;
  job: LaunchdJob | null;
  layout: ServiceLayout | null;
  config: GatewayConfig;
  /** OpenClaw's managed proxy, unredacted (for the probe child only), or null when off. */
  managedProxy: ManagedProxy | null;
  redactor: Redactor;
}

const ENV_FILE_MAX_BYTES = 1024 * 1024;

/** Facts about the env file that findings need, gathered once. */
export interface EnvFileFacts {
  path: string;
  readable: boolean;
  readError: string | null;
  mode: number | null;
  mtimeMs: number | null;
  result: EnvFileResult | null;
}

function scopeOf(path: string, home: string, systemRoot: string): ServiceScope {
  const abs = resolve(path);
  for (const { dir, scope } of launchdFolders({ home, systemRoot })) if (abs.startsWith(dir + sep)) return scope;
  return 'user-agent';
}

async function readEnvFile(path: string, inherited: Record<string, string>): Promise<EnvFileFacts> {
  const facts = await fileFacts(path);
  try {
    const text = (await readBoundedFile(path, ENV_FILE_MAX_BYTES)).toString('utf8');
    return { path, readable: true, readError: null, mode: facts.mode ?? null, mtimeMs: facts.mtimeMs ?? null, result: evaluateEnvFile(text, inherited) };
  } catch (error) {
    const message = error instanceof InputError ? error.message : String(error);
    return { path, readable: false, readError: message, mode: facts.mode ?? null, mtimeMs: facts.mtimeMs ?? null, result: null };
  }
}

/** Merges layers in launchd's order; later layers win and remember whom they beat. */
function mergeLayers(layers: Array<[VariableSource, Record<string, string>]>, removed: Set<string>): Map<string, { value: string; source: VariableSource; overrides: VariableSource[] }> {
  const merged = new Map<string, { value: string; source: VariableSource; overrides: VariableSource[] }>();
  for (const [source, vars] of layers) {
    for (const [name, value] of Object.entries(vars)) {
      const before = merged.get(name);
      if (before && before.value === value && source !== 'file') continue;
      merged.set(name, { value, source, overrides: before ? [...before.overrides, before.source] : [] });
    }
  }
  for (const name of removed) merged.delete(name);
  return merged;
}

async function pickService(options: LoadOptions, home: string, systemRoot: string): Promise<{ path: string | null; candidates: ServiceCandidate[]; because: string[] }> {
  if (options.plistPath) return { path: options.plistPath, candidates: [], because: ['given with --plist'] };
  const candidates = await discoverServices({ home, systemRoot });
  const best = candidates.find((candidate) => candidate.job !== null);
  return { path: best?.path ?? null, candidates, because: best?.reasons ?? [] };
}

/**
 * Builds the gateway daemon's effective environment: launchd's base, the
 * plist's inline EnvironmentVariables, then OpenClaw's env file (which wins),
 * each variable with its source; plus the config it implies, launchd's live
 * state, the shell comparison and findings.
 */
export async function loadServiceEnvironment(options: LoadOptions = {}): Promise<ServiceEnvironment> {
  const exec = options.exec ?? execCommand;
  const home = options.home ?? process.env.HOME ?? homedir();
  const systemRoot = options.systemRoot ?? process.env.CLAWBAR_SYSTEM_ROOT ?? '';
  const shellEnv = options.shellEnv ?? process.env;
  const redactor = new Redactor().addEnvironment(shellEnv);

  const picked = await pickService(options, home, systemRoot);
  const job = picked.path ? await readLaunchdJob(picked.path) : null;
  const layout = job ? unwrapCommand(job) : null;
  const scope = picked.path ? scopeOf(picked.path, home, systemRoot) : 'user-agent';
  const isDaemon = scope === 'daemon';
  const user = job ? await resolveJobUser(exec, job.userName, isDaemon, home) : null;
  const label = job?.label ?? null;
  const target = label ? (isDaemon ? `system/${label}` : `gui/${user?.uid ?? process.getuid?.() ?? 501}/${label}`) : null;
  const live: LaunchctlState | null = target ? await queryLaunchctl(exec, target) : null;
  const liveJob = live?.status === 'loaded' ? live.job : null;
  const tmp = !isDaemon && process.platform === 'darwin' ? await exec('getconf', ['DARWIN_USER_TEMP_DIR'], { timeoutMs: 2_000, maxBytes: 4096 }) : null;

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
  const location = locateConfig(effective, user?.home ?? home, label);
  const config = await loadGatewayConfig(location.path);
  // The gateway loads <state>/.env at start-up without overriding what is set.
  const dotenvLayer = await readDotenv(join(location.stateDir, '.env'), effective);
  for (const [name, value] of Object.entries(dotenvLayer)) {
    merged.set(name, { value, source: 'dotenv', overrides: [] });
    effective[name] = value;
  }
  redactor.addEnvironment(effective).add(...config.secrets, ...argumentSecrets(job?.programArguments ?? []));

  const command = layout?.command ?? [];
  const nodePath = command[0] ? whichOnPath(command[0], effective.PATH) ?? command[0] : null;
  const nodeExists = nodePath ? await isExecutable(nodePath) : false;
  // proxy.proxyUrl beats OPENCLAW_PROXY_URL (OpenClaw's network-proxy docs).
  const managedUrl = config.proxyUrl ?? (effective.OPENCLAW_PROXY_URL?.trim() || null);
  const managedProxy: ManagedProxy | null = managedUrl ? { url: managedUrl, loopbackMode: config.proxyLoopbackMode } : null;
  const gateway = gatewayInfo(command, effective, config, location, managedUrl);

  const drift: Drift[] = [];
  if (liveJob && job) {
    drift.push(...compareLoaded(liveJob, job.programArguments ?? [], inline, label));
    if (liveJob.pid !== null && envFile?.mtimeMs) {
      const started = await processStartMs(exec, liveJob.pid);
      if (started !== null && envFile.mtimeMs > started + 1000) {
        drift.push({ what: 'env file', detail: `${envFile.path} changed after the gateway started (pid ${liveJob.pid}); the running process still has the old values` });
      }
    }
  }
  const launchd: LaunchdInfo = {
    status: live?.status ?? 'unavailable',
    target,
    message: live && live.status !== 'loaded' ? live.message : null,
    running: liveJob ? liveJob.running : null,
    pid: liveJob?.pid ?? null,
    lastExitCode: liveJob?.lastExitCode ?? null,
    lastSignal: liveJob?.lastSignal ?? null,
    drift,
  };

  const variables: EnvVariable[] = [...merged].sort(([a], [b]) => a.localeCompare(b)).map(([name, v]) => {
    const shown = redactVariable(name, v.value);
    return { name, value: redactor.text(shown.value), source: v.source, overrides: v.overrides, redacted: shown.redacted || redactor.text(shown.value) !== shown.value };
  });
  const service: ServiceInfo | null = job && picked.path ? {
    plistPath: picked.path,
    label,
    scope,
    domainTarget: target,
    format: job.format,
    layout: layout!.kind,
    wrapperPath: layout!.kind === 'env-wrapper' ? layout!.wrapperPath : null,
    envFilePath: layout!.kind === 'env-wrapper' ? layout!.envFilePath : null,
    userName: user?.name ?? job.userName ?? (isDaemon ? 'root' : null),
    workingDirectory,
    command,
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
  } : null;

  const wrapperText = layout?.kind === 'env-wrapper' ? await readBoundedFile(layout.wrapperPath, 64 * 1024).then((b) => b.toString('utf8'), (e: Error) => e) : null;
  const plistFacts = picked.path ? await fileFacts(picked.path) : { exists: false };
  const shellDiff = job ? diffShell(shellEnv, effective, nodeExists ? nodePath : null) : [];
  const findings = buildFindings({
    discovered: picked, job, layout, envFile, wrapperText, plistMode: plistFacts.mode ?? null, inline, effective, config, gateway, launchd, nodePath, nodeExists,
    configPath: location.path, shellDiff,
  });
  const report: EnvReport = redactor.deep({
    schema: 'clawbar.env/1',
    overall: worstSeverity(findings),
    service,
    environment: { variables, redactedKeys: variables.filter((v) => v.redacted).map((v) => v.name) },
    gateway,
    launchd,
    shellDiff: shellDiff.map((d) => ({ ...d, shell: d.shell === null ? null : redactVariable(d.name, d.shell).value, daemon: d.daemon === null ? null : redactVariable(d.name, d.daemon).value })),
    findings,
  } satisfies EnvReport);
  return { report, env: effective, job, layout, config, managedProxy, redactor };
}

async function readDotenv(path: string, effective: Record<string, string>): Promise<Record<string, string>> {
  try {
    const parsed = parseDotenv((await readBoundedFile(path, ENV_FILE_MAX_BYTES)).toString('utf8'));
    return Object.fromEntries(Object.entries(parsed).filter(([name]) => effective[name] === undefined));
  } catch {
    return {};
  }
}

function gatewayInfo(command: string[], env: Record<string, string>, config: GatewayConfig, location: ReturnType<typeof locateConfig>, proxyUrl: string | null): GatewayInfo {
  const fromArgs = portFromArgs(command);
  const fromEnv = /^\d{1,5}$/.test(env.OPENCLAW_GATEWAY_PORT ?? '') ? Number(env.OPENCLAW_GATEWAY_PORT) : null;
  const [port, portSource] = fromArgs !== null ? [fromArgs, 'argument' as const]
    : fromEnv !== null && fromEnv > 0 && fromEnv < 65536 ? [fromEnv, 'environment' as const]
    : config.port !== null ? [config.port, 'config' as const]
    : [location.profile && env.OPENCLAW_PROFILE ? profileDefaultPort(location.profile) : DEFAULT_GATEWAY_PORT, 'default' as const];
  const bind = bindFromArgs(command) ?? config.bind ?? 'loopback';
  const host = bind === 'custom' && config.customBindHost && !['0.0.0.0', '::'].includes(config.customBindHost) ? config.customBindHost : '127.0.0.1';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    configPath: location.path,
    configReason: location.reason,
    configFound: config.found,
    profile: location.profile,
    port,
    portSource,
    bind,
    customBindHost: config.customBindHost,
    authMode: authFromArgs(command) ?? config.authMode ?? 'token',
    trustedProxies: config.trustedProxies,
    proxyUrl,
    healthUrl: `http://${hostPart}:${port}/health`,
    readyUrl: `http://${hostPart}:${port}/readyz`,
    wsUrl: `ws://${hostPart}:${port}/`,
  };
}

const flagValue = (command: string[], flag: string): string | null => {
  for (let i = 0; i < command.length; i++) {
    if (command[i] === flag) return command[i + 1] ?? null;
    if (command[i]!.startsWith(`${flag}=`)) return command[i]!.slice(flag.length + 1);
  }
  return null;
};
const bindFromArgs = (command: string[]) => flagValue(command, '--bind');
const authFromArgs = (command: string[]) => flagValue(command, '--auth');

