import type { Executor } from '../system/exec.ts';
import type { LaunchctlJob } from './launchctl.ts';

export interface Drift {
  what: string;
  detail: string;
}

/** Parses `ps -o etime=` ([[dd-]hh:]mm:ss) into seconds. */
export function parseElapsed(text: string): number | null {
  const match = /^\s*(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)\s*$/.exec(text);
  if (!match) return null;
  const [, d = '0', h = '0', m, s] = match;
  return ((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s);
}

/** When a process started, from its elapsed time (works with BSD and procps `ps`). */
export async function processStartMs(exec: Executor, pid: number, now = Date.now()): Promise<number | null> {
  const result = await exec('ps', ['-o', 'etime=', '-p', String(pid)], { timeoutMs: 3_000, maxBytes: 4096 });
  if (result.code !== 0) return null;
  const elapsed = parseElapsed(result.stdout);
  return elapsed === null ? null : now - elapsed * 1000;
}

/**
 * Differences between what launchd has loaded and what is on disk now. Any of
 * them means the running gateway is not what the files say: restart needed.
 */
export function compareLoaded(live: LaunchctlJob, fileArgs: string[], inline: Record<string, string>, label: string | null): Drift[] {
  const drift: Drift[] = [];
  if (live.arguments.length > 0 && JSON.stringify(live.arguments) !== JSON.stringify(fileArgs)) {
    drift.push({ what: 'ProgramArguments', detail: 'the command line launchd loaded differs from the plist on disk' });
  }
  const loadedEnv = { ...live.environment };
  if (loadedEnv.XPC_SERVICE_NAME === label) delete loadedEnv.XPC_SERVICE_NAME;
  const names = new Set([...Object.keys(loadedEnv), ...Object.keys(inline)]);
  const changed = [...names].filter((name) => loadedEnv[name] !== inline[name]).sort();
  if (changed.length > 0) {
    drift.push({ what: 'EnvironmentVariables', detail: `loaded and on-disk values differ for ${changed.join(', ')}` });
  }
  return drift;
}
