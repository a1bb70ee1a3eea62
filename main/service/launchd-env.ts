import type { LaunchctlJob } from './launchctl.ts';

/**
 * launchd's own PATH for every job. Not the login shell's: nothing from
 * ~/.zshrc or /etc/paths reaches a LaunchAgent, which is why `node` or a proxy
 * variable that works in Terminal can be missing under launchd.
 */
export const LAUNCHD_DEFAULT_PATH = '/usr/bin:/bin:/usr/sbin:/sbin';

export interface JobUser {
  name: string;
  uid: number | null;
  home: string | null;
  shell: string | null;
}

export interface BaseEnvironmentInput {
  domain: 'gui' | 'system';
  label: string;
  /** The user the job runs as; null for a LaunchDaemon without UserName (root). */
  user: JobUser | null;
  /** The user's per-user temp folder, when known (macOS: `getconf DARWIN_USER_TEMP_DIR`). */
  tmpdir: string | null;
  /** What a loaded job's `launchctl print` shows, which beats the static model. */
  live: LaunchctlJob | null;
}

/**
 * The environment launchd gives a job before its plist's EnvironmentVariables:
 * PATH, the user's identity variables, and the XPC variables. When launchd is
 * reachable its own `default environment` and `inherited environment` blocks
 * are used as well (e.g. SSH_AUTH_SOCK).
 */
export function launchdBaseEnvironment(input: BaseEnvironmentInput): Record<string, string> {
  const env: Record<string, string> = { PATH: LAUNCHD_DEFAULT_PATH };
  const { user } = input;
  if (user) {
    if (user.home) env.HOME = user.home;
    env.USER = user.name;
    env.LOGNAME = user.name;
    if (user.shell) env.SHELL = user.shell;
  }
  if (input.domain === 'gui' && input.tmpdir) env.TMPDIR = input.tmpdir;
  if (input.domain === 'gui' && user?.uid !== null && user?.uid !== undefined) {
    env.__CF_USER_TEXT_ENCODING = `0x${user.uid.toString(16).toUpperCase()}:0x0:0x0`;
  }
  env.XPC_FLAGS = '0x0';
  env.XPC_SERVICE_NAME = input.label;
  if (input.live) Object.assign(env, input.live.defaultEnvironment, input.live.inheritedEnvironment);
  return env;
}
