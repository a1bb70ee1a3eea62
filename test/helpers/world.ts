import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build as buildPlist, buildBinary } from 'plist';
import { formatEnvFile } from '../../main/service/env-file-format.ts';
import { OPENCLAW_WRAPPER_TEXT } from '../../main/service/layout.ts';
import { worldFiles } from '../../main/world.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'bin', 'clawbar.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

/** A folder inside a test's temporary root, created on first use. */
export async function subdir(root: string, name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** A temporary HOME: the complete world clawbar sees. Removed by `cleanup`. */
export async function makeHome(prefix = 'clawbar-test-'): Promise<{ home: string; cleanup: () => Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), prefix));
  return { home, cleanup: () => rm(home, { recursive: true, force: true }) };
}

/** A temporary HOME and where clawbar's settings file goes in it, as the CLI and the app both derive it (not written yet). Removed by `cleanup`. */
export async function makeSettingsHome(): Promise<{ home: string; settingsPath: string; cleanup: () => Promise<void> }> {
  const { home, cleanup } = await makeHome();
  return { home, settingsPath: worldFiles({}, home, process.platform).settings, cleanup };
}

export interface ServiceOptions {
  label?: string;
  nodePath?: string;
  port?: number;
  env?: Record<string, string>;
  inline?: Record<string, string>;
  binary?: boolean;
  /** Raw env file text instead of the generated one. */
  envFileText?: string;
  extraArgs?: string[];
  /** The OpenClaw entry script; the real one when the service is to be started for real. */
  entry?: string;
  /** Leave `--port` out of ProgramArguments so the port comes from env or config. */
  noPortArg?: boolean;
}

export interface ServiceFiles {
  plistPath: string;
  envFilePath: string;
  wrapperPath: string;
  stateDir: string;
  label: string;
}

/**
 * Writes a gateway service in the layout `openclaw gateway install` produces:
 * plist (0644) whose ProgramArguments run the env wrapper (0700) with the env
 * file (0600, in a 0700 folder).
 */
export async function writeService(home: string, options: ServiceOptions = {}): Promise<ServiceFiles> {
  const label = options.label ?? 'ai.openclaw.gateway';
  const stateDir = join(home, '.openclaw');
  const serviceDir = join(stateDir, 'service-env');
  const agents = join(home, 'Library', 'LaunchAgents');
  const logs = join(home, 'Library', 'Logs', 'openclaw');
  await mkdir(serviceDir, { recursive: true, mode: 0o700 });
  await chmod(serviceDir, 0o700);
  await mkdir(agents, { recursive: true });
  await mkdir(logs, { recursive: true });
  const wrapperPath = join(serviceDir, `${label}-env-wrapper.sh`);
  const envFilePath = join(serviceDir, `${label}.env`);
  await writeFile(wrapperPath, OPENCLAW_WRAPPER_TEXT, { mode: 0o700 });
  const env = options.env ?? { HOME: home, OPENCLAW_GATEWAY_PORT: String(options.port ?? 18789), OPENCLAW_LAUNCHD_LABEL: label };
  await writeFile(envFilePath, options.envFileText ?? formatEnvFile(env), { mode: 0o600 });
  await chmod(envFilePath, 0o600);
  const job: Record<string, unknown> = {
    Label: label,
    Comment: 'OpenClaw Gateway',
    RunAtLoad: true,
    KeepAlive: true,
    ExitTimeOut: 20,
    ProcessType: 'Interactive',
    ThrottleInterval: 10,
    Umask: 63,
    StandardInPath: '/dev/null',
    ProgramArguments: ['/bin/sh', wrapperPath, envFilePath, options.nodePath ?? '/opt/homebrew/bin/node', '--max-old-space-size=8192',
      options.entry ?? '/opt/homebrew/lib/node_modules/openclaw/dist/index.js', 'gateway',
      ...(options.noPortArg ? [] : ['--port', String(options.port ?? 18789)]), ...(options.extraArgs ?? [])],
    WorkingDirectory: stateDir,
    StandardOutPath: join(logs, 'gateway.log'),
    StandardErrorPath: join(logs, 'gateway.log'),
  };
  if (options.inline) job.EnvironmentVariables = options.inline;
  const plistPath = join(agents, `${label}.plist`);
  await writeFile(plistPath, options.binary ? Buffer.from(buildBinary(job as never)) : buildPlist(job as never), { mode: 0o644 });
  return { plistPath, envFilePath, wrapperPath, stateDir, label };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `clawbar` as a user would, in its own process, with a controlled environment. */
export function runCli(args: string[], env: Record<string, string | undefined>, options: { timeoutMs?: number; runAs?: string } = {}): Promise<CliRun> {
  // setpriv (util-linux) runs the CLI as another account, to meet files that account cannot read.
  const [file, argv] = options.runAs
    ? ['setpriv', [`--reuid=${options.runAs}`, `--regid=${options.runAs === 'nobody' ? 'nogroup' : options.runAs}`, '--clear-groups', process.execPath, CLI, ...args]]
    : [process.execPath, [CLI, ...args]];
  return new Promise((resolvePromise) => {
    execFile(file, argv, { env: env as NodeJS.ProcessEnv, timeout: options.timeoutMs ?? 60_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error && typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : error ? 70 : 0;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** A minimal environment for the CLI: HOME and PATH, nothing inherited by accident. */
export function cliEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', ...extra };
}
