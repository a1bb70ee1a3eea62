import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NODE24, openclawEntry, openclawPackageDir } from './openclaw.ts';

const run = promisify(execFile);

/**
 * What OpenClaw does to an installed service later on, by its own code:
 * - `audit`: the service audit, and whether the update's refresh would refuse;
 * - `update`: that refresh, written when the audit lets it;
 * - `reinstall`: `openclaw gateway install --force` (also the start/restart auto-repair);
 * - `doctor-rewrite`: the rewrite `openclaw doctor --fix` (and onboarding) makes after its confirmation.
 */
export type UpkeepAction = 'audit' | 'update' | 'reinstall' | 'doctor-rewrite';

export interface UpkeepResult {
  /** The service as OpenClaw's strict reader saw it before the action. */
  before: { programArguments: string[]; environment: Record<string, string> };
  /** Issue codes of OpenClaw's service audit, and the update's definition drift. */
  audit: { issues: string[]; drift: Array<{ kind: string; key: string }> };
  /** Why the update's refresh would stop (unknown edits by key), empty when it goes ahead. */
  refused: string[];
  written: boolean;
}

/**
 * Runs OpenClaw's upkeep code (openclaw-upkeep-child.ts) against the service
 * in `home`, as if from an operator's shell with `shellEnv` (no
 * NODE_EXTRA_CA_CERTS, no proxy: a plain SSH session). Without network as
 * root, like the installer peer.
 */
export async function openclawUpkeep(home: string, action: UpkeepAction, options: { port: number; shellEnv?: Record<string, string> }): Promise<UpkeepResult> {
  openclawEntry();
  const shellEnv = { HOME: home, PATH: `${join(NODE24, '..')}:/usr/bin:/bin`, TMPDIR: '/tmp', ...options.shellEnv };
  const request = JSON.stringify({ pkg: openclawPackageDir(), action, port: options.port, shellEnv });
  const script = join(import.meta.dirname, 'openclaw-upkeep-child.ts');
  const isolated = process.getuid?.() === 0;
  const [file, args] = isolated ? ['unshare', ['-n', NODE24, script, request]] : [NODE24, [script, request]];
  const { stdout } = await run(file, args, { env: shellEnv, timeout: 120_000, maxBuffer: 4 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as UpkeepResult;
}
