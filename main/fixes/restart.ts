import { describeFailure, type ExecResult, type Executor } from '../system/exec.ts';
import type { RestartKind } from './types.ts';

export interface ServiceTarget {
  /** `gui/<uid>/<label>` or `system/<label>`. */
  target: string;
  plistPath: string;
  /** The job is loaded in launchd now (kickstart needs that; bootstrap needs the opposite). */
  loaded: boolean;
}

export interface Step { command: string; args: string[]; admin: boolean }

const domainOf = (target: string) => target.slice(0, target.lastIndexOf('/'));

/**
 * The launchctl commands for a restart, as OPENCLAW.md prescribes: enable
 * first; env file changed → `kickstart -k` (the wrapper re-reads the file);
 * plist changed → `bootout` + `bootstrap` (launchd reads a plist only when it
 * loads it). A job that is not loaded is bootstrapped. The system domain
 * (LaunchDaemons) needs administrator rights.
 */
export function restartSteps(kind: RestartKind, service: ServiceTarget): Step[] {
  if (kind === 'none') return [];
  const admin = service.target.startsWith('system/');
  const step = (...args: string[]): Step => ({ command: 'launchctl', args, admin });
  const steps = [step('enable', service.target)];
  if (!service.loaded) steps.push(step('bootstrap', domainOf(service.target), service.plistPath));
  else if (kind === 'kickstart') steps.push(step('kickstart', '-k', service.target));
  else steps.push(step('bootout', service.target), step('bootstrap', domainOf(service.target), service.plistPath));
  return steps;
}

/** A command line as the operator would type it (for previews and the audit log). */
export function commandLine(step: { command: string; args: string[]; admin: boolean }): string {
  const quoted = [step.command, ...step.args].map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)).join(' ');
  return step.admin ? `sudo ${quoted}` : quoted;
}

const appleScriptString = (text: string) => `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/**
 * Runs one step through the executor. Admin steps, when clawbar is not root
 * and is on macOS, go through the standard authorization dialog (osascript
 * "with administrator privileges"); no password is ever stored or asked for here.
 */
export async function runStep(exec: Executor, step: Step, options: { isRoot: boolean; platform: NodeJS.Platform }): Promise<ExecResult> {
  if (step.admin && !options.isRoot && options.platform === 'darwin') {
    const shellCommand = commandLine({ ...step, admin: false });
    return exec('osascript', ['-e', `do shell script ${appleScriptString(shellCommand)} with administrator privileges`], { timeoutMs: 120_000 });
  }
  return exec(step.command, step.args, { timeoutMs: 60_000 });
}

// `bootstrap` right after `bootout` can fail with 5 while launchd is still
// tearing the job down; retrying a few times is what launchd's users do.
const BOOTSTRAP_RETRIES = 4;
const BOOTSTRAP_RETRY_MS = 750;

/** Runs the restart steps in order; stops at the first failure with launchctl's own words. */
export async function runRestart(exec: Executor, steps: Step[], options: { isRoot: boolean; platform: NodeJS.Platform; onCommand?: (line: string) => void }): Promise<{ ok: boolean; detail: string }> {
  const done: string[] = [];
  for (const step of steps) {
    let result = await runStep(exec, step, options);
    for (let attempt = 1; step.args[0] === 'bootstrap' && result.code === 5 && attempt < BOOTSTRAP_RETRIES; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, BOOTSTRAP_RETRY_MS));
      result = await runStep(exec, step, options);
    }
    const line = commandLine(step);
    options.onCommand?.(line);
    // `enable` of a job that is already enabled, or in a domain that does not support it, does not stop a restart.
    if (result.code !== 0 && !(step.args[0] === 'enable' && result.available)) {
      return { ok: false, detail: `${line} failed: ${describeFailure(result)}` };
    }
    done.push(line);
  }
  return { ok: true, detail: done.join('; ') || 'no restart needed' };
}
