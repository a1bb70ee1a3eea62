import { chown, mkdir, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { build } from 'plist';
import { queryLaunchctl, type LaunchctlState } from '../service/launchctl.ts';
import { LAUNCHD_DEFAULT_PATH } from '../service/launchd-env.ts';
import { resolveJobUser } from '../service/job-user.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import { writeFileAtomic } from '../system/atomic-write.ts';
import { describeFailure } from '../system/exec.ts';
import { InputError } from '../system/errors.ts';
import { fileFacts } from '../system/files.ts';
import { WATCH_LABEL, worldFiles, type World } from '../world.ts';

/** The CLI this checkout runs, started by the project's own node (the one running now). */
const CLI_SCRIPT = resolve(import.meta.dirname, '..', '..', 'bin', 'clawbar.js');

/**
 * V8 flags for a process that idles for hours: garbage collection on the
 * main thread (no helper threads waking for a small heap) and the
 * size-favouring heuristics; npm run bench:watch measures the difference.
 */
export const WATCH_NODE_FLAGS = ['--single-threaded-gc', '--optimize-for-size'];

export interface JobSpec {
  kind: 'agent' | 'daemon';
  label: string;
  plistPath: string;
  /** `gui/<uid>` for an agent, `system` for a daemon. */
  domain: string;
  /** A daemon runs as the gateway's own user (null: root, like the gateway). */
  userName: string | null;
  /** That user's uid, so the folders root creates for the job's log belong to the user who writes them. */
  uid: number | null;
  home: string;
  program: string[];
  env: Record<string, string>;
  logPath: string;
}

/**
 * The watcher's job: a LaunchAgent in the user's domain, or — for a gateway
 * that runs as a LaunchDaemon — a LaunchDaemon with the gateway's UserName,
 * so the watcher sees the same account's files. HOME and the PATH `watch
 * install` ran with are written in, so the job finds the same tools.
 */
export async function planJob(world: World, service: ServiceEnvironment | null, options: { scope?: 'agent' | 'daemon'; plist?: string }): Promise<JobSpec> {
  const kind = options.scope ?? (service?.facts.service?.scope === 'daemon' ? 'daemon' : 'agent');
  const userName = kind === 'daemon' ? service?.facts.service?.userName ?? null : null;
  const user = kind === 'daemon' && userName && userName !== 'root' ? await resolveJobUser(world.exec, userName, true, world.home) : null;
  const home = user?.home ?? world.home;
  const env: Record<string, string> = { HOME: home, PATH: world.env.PATH || LAUNCHD_DEFAULT_PATH };
  for (const name of ['XDG_CONFIG_HOME', 'XDG_STATE_HOME'] as const) if (world.env[name] && home === world.home) env[name] = world.env[name]!;
  const files = home === world.home ? world.files : worldFiles(env, home, world.platform);
  const plistArg = options.plist ?? service?.facts.service?.plistPath;
  return {
    kind, label: WATCH_LABEL, userName: userName === 'root' ? null : userName, uid: user?.uid ?? null, home, env,
    plistPath: kind === 'daemon' ? world.files.watchDaemonPlist : world.files.watchAgentPlist,
    domain: kind === 'daemon' ? 'system' : `gui/${process.getuid?.() ?? 501}`,
    program: [process.execPath, ...WATCH_NODE_FLAGS, CLI_SCRIPT, 'watch', ...(plistArg ? ['--plist', resolve(plistArg)] : [])],
    logPath: files.watchOut,
  };
}

/** The plist launchd loads: kept alive, throttled, private umask, stdout and stderr in clawbar's log folder. */
export function jobPlist(spec: JobSpec): string {
  return build({
    Label: spec.label,
    Comment: 'clawbar watch: the OpenClaw gateway checks, schedules and pages, without a screen',
    ProgramArguments: spec.program,
    ...(spec.userName ? { UserName: spec.userName } : {}),
    EnvironmentVariables: spec.env,
    WorkingDirectory: spec.home,
    RunAtLoad: true,
    KeepAlive: true,
    ThrottleInterval: 30,
    ExitTimeOut: 20,
    ProcessType: 'Standard',
    Umask: 63,
    StandardInPath: '/dev/null',
    StandardOutPath: spec.logPath,
    StandardErrorPath: spec.logPath,
  } as never);
}

const launchctl = async (world: World, args: string[]) => {
  const result = await world.exec('launchctl', args, { timeoutMs: 30_000, maxBytes: 256 * 1024 });
  return { ...result, ok: result.available && result.code === 0 };
};

export interface Installed { spec: JobSpec; loaded: boolean; note: string | null }

/** Writes the plist atomically and (re)loads it: bootout when loaded, enable, bootstrap. */
export async function installJob(world: World, spec: JobSpec): Promise<Installed> {
  const logDir = dirname(spec.logPath);
  const created = await mkdir(logDir, { recursive: true, mode: 0o700 });
  if (created && spec.uid !== null && spec.uid !== process.getuid?.()) {
    // `sudo clawbar watch install` creates them as root; the watcher runs as the gateway's user.
    for (let dir = logDir; dir.startsWith(created); dir = dirname(dir)) await chown(dir, spec.uid, -1);
  }
  try {
    await writeFileAtomic(spec.plistPath, jobPlist(spec), { mode: 0o644, createDirMode: 0o755 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`cannot write ${spec.plistPath}: ${code === 'EACCES' || code === 'EPERM' ? `permission denied${spec.kind === 'daemon' ? ' (a LaunchDaemon needs sudo)' : ''}` : code ?? (error as Error).message}`, spec.plistPath);
  }
  const target = `${spec.domain}/${spec.label}`;
  const state = await queryLaunchctl(world.exec, target);
  if (state.status === 'unavailable') return { spec, loaded: false, note: `launchctl is not available here; load it on the Mac with: launchctl bootstrap ${spec.domain} ${spec.plistPath}` };
  if (state.status === 'loaded') await launchctl(world, ['bootout', target]);
  await launchctl(world, ['enable', target]);
  const boot = await launchctl(world, ['bootstrap', spec.domain, spec.plistPath]);
  if (!boot.ok) throw new InputError(`launchctl bootstrap ${spec.domain} ${spec.plistPath} failed: ${(boot.stderr || boot.stdout).trim() || describeFailure(boot)}`, spec.plistPath);
  return { spec, loaded: true, note: null };
}

/** Unloads and removes whichever watcher jobs are installed (agent, daemon); the logs and state stay. */
export async function uninstallJobs(world: World): Promise<Array<{ plistPath: string; unloaded: boolean }>> {
  const removed: Array<{ plistPath: string; unloaded: boolean }> = [];
  for (const [plistPath, domain] of [[world.files.watchAgentPlist, `gui/${process.getuid?.() ?? 501}`], [world.files.watchDaemonPlist, 'system']] as const) {
    if (!(await fileFacts(plistPath)).exists) continue;
    const out = await launchctl(world, ['bootout', `${domain}/${WATCH_LABEL}`]);
    try {
      await rm(plistPath);
    } catch (error) {
      throw new InputError(`cannot remove ${plistPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, plistPath);
    }
    removed.push({ plistPath, unloaded: out.ok });
  }
  return removed;
}

export interface InstalledJob { kind: 'agent' | 'daemon'; plistPath: string; target: string }

/** The installed watcher job, if any (the agent first: it is the usual one). */
export async function installedJob(world: World): Promise<InstalledJob | null> {
  if ((await fileFacts(world.files.watchAgentPlist)).exists) return { kind: 'agent', plistPath: world.files.watchAgentPlist, target: `gui/${process.getuid?.() ?? 501}/${WATCH_LABEL}` };
  if ((await fileFacts(world.files.watchDaemonPlist)).exists) return { kind: 'daemon', plistPath: world.files.watchDaemonPlist, target: `system/${WATCH_LABEL}` };
  return null;
}

/** What launchd says about the job. */
export function jobState(world: World, job: InstalledJob): Promise<LaunchctlState> {
  return queryLaunchctl(world.exec, job.target);
}
