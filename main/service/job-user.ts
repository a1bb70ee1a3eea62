import { userInfo } from 'node:os';
import type { Executor } from '../system/exec.ts';
import type { JobUser } from './launchd-env.ts';

/**
 * The account a job runs as. A LaunchAgent runs as whoever is logged in (here:
 * the current user, with HOME as clawbar sees it); a LaunchDaemon runs as its
 * UserName, or root without one.
 */
export async function resolveJobUser(exec: Executor, userName: string | null, isDaemon: boolean, home: string): Promise<JobUser | null> {
  const me = userInfo();
  if (!isDaemon || userName === me.username) {
    if (isDaemon && userName === null) return null;
    return { name: me.username, uid: me.uid, home, shell: me.shell ?? null };
  }
  if (userName === null) return null;
  const dscl = await exec('dscl', ['.', '-read', `/Users/${userName}`, 'NFSHomeDirectory', 'UniqueID', 'UserShell'], { timeoutMs: 5_000, maxBytes: 64 * 1024 });
  if (dscl.available && dscl.code === 0) {
    const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(dscl.stdout)?.[1]?.trim() ?? null;
    const uid = field('UniqueID');
    return { name: userName, uid: uid ? Number(uid) : null, home: field('NFSHomeDirectory'), shell: field('UserShell') };
  }
  const passwd = await exec('getent', ['passwd', userName], { timeoutMs: 5_000, maxBytes: 64 * 1024 });
  const fields = passwd.code === 0 ? passwd.stdout.trim().split(':') : [];
  if (fields.length >= 7) return { name: userName, uid: Number(fields[2]), home: fields[5] ?? null, shell: fields[6] ?? null };
  return { name: userName, uid: null, home: null, shell: null };
}
