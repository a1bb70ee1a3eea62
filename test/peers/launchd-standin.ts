import { readLaunchdJob } from '../../main/service/plist.ts';
import { LAUNCHD_DEFAULT_PATH } from '../../main/service/launchd-env.ts';
import { Peer } from './peer.ts';

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
