import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readLaunchdJob } from '../../main/service/plist.ts';
import { LAUNCHD_DEFAULT_PATH } from '../../main/service/launchd-env.ts';
import { Peer } from './peer.ts';

const run = promisify(execFile);

/**
 * Starts a job from its plist the way launchd would on a Mac: ProgramArguments
 * as written, WorkingDirectory, launchd's PATH and the user's identity, then
 * the inline EnvironmentVariables. With OpenClaw's layout this runs the real
 * wrapper, which reads the real env file and execs the real gateway.
 */
export async function startJob(plistPath: string, home: string): Promise<Peer> {
  const job = await readLaunchdJob(plistPath);
  const args = job.programArguments ?? (job.program ? [job.program] : []);
  if (args.length === 0) throw new Error(`${plistPath} has nothing to run`);
  const peer = new Peer({
    name: `launchd-${job.label ?? 'job'}`,
    command: args[0]!,
    args: args.slice(1),
    cwd: job.workingDirectory ?? '/',
    env: { PATH: LAUNCHD_DEFAULT_PATH, HOME: home, USER: 'root', LOGNAME: 'root', SHELL: '/bin/sh', TMPDIR: '/tmp', XPC_SERVICE_NAME: job.label ?? '', XPC_FLAGS: '0x0', ...job.environmentVariables },
  });
  await peer.start();
  return peer;
}

export interface LaunchctlStandin {
  /** PATH entry holding the `launchctl` stand-in (put it first). */
  binDir: string;
  /** Environment for clawbar so its `launchctl` calls reach the stand-in. */
  env: Record<string, string>;
  /** `launchctl bootstrap` through the stand-in: loads and starts the job as launchd would. */
  bootstrap(plistPath: string, home: string): Promise<void>;
  /** The pid the stand-in has for a job, or null when it is not running. */
  pidOf(target: string): Promise<number | null>;
  /** Boots out every job it started. */
  stopAll(): Promise<void>;
}

/**
 * Puts a `launchctl` on PATH that really (re)starts jobs from their plists
 * (see launchctl-standin-cli.ts), so a fix's restart runs the real wrapper,
 * env file and gateway, and a broken env file stops the gateway from starting.
 */
export async function installLaunchctlStandin(dir: string): Promise<LaunchctlStandin> {
  const binDir = join(dir, 'bin');
  const stateDir = join(dir, 'launchd');
  await mkdir(binDir, { recursive: true });
  await mkdir(stateDir, { recursive: true });
  const script = join(import.meta.dirname, 'launchctl-standin-cli.ts');
  await writeFile(join(binDir, 'launchctl'), `#!/bin/sh\nexec '${process.execPath}' '${script}' "$@"\n`, { mode: 0o755 });
  const env = { PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`, LAUNCHCTL_STANDIN_DIR: stateDir };
  const launchctl = (args: string[], home: string) => run(join(binDir, 'launchctl'), args, { env: { ...env, HOME: home }, timeout: 30_000 });
  return {
    binDir,
    env,
    bootstrap: async (plistPath, home) => { await launchctl(['bootstrap', `gui/${process.getuid?.() ?? 0}`, plistPath], home); },
    pidOf: async (target) => {
      const { stdout } = await launchctl(['print', target], '/').catch(() => ({ stdout: '' }));
      const pid = /^\s*pid = (\d+)/m.exec(stdout)?.[1];
      return pid ? Number(pid) : null;
    },
    stopAll: async () => {
      for (const name of await readdir(stateDir)) {
        const job = JSON.parse(await readFile(join(stateDir, name), 'utf8')) as { target: string };
        await launchctl(['bootout', job.target], '/').catch(() => undefined);
      }
    },
  };
}
