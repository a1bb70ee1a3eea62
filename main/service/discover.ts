import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../system/errors.ts';
import { readLaunchdJob, type LaunchdJob } from './plist.ts';

export type ServiceScope = 'user-agent' | 'global-agent' | 'daemon';

export interface ServiceCandidate {
  path: string;
  scope: ServiceScope;
  job: LaunchdJob | null;
  /** Why this file was considered (or why it could not be read). */
  reasons: string[];
  score: number;
  error: string | null;
}

export interface DiscoveryRoots {
  home: string;
  /** Prefix for /Library (an empty string on a live system). */
  systemRoot: string;
}

/** The three places launchd loads jobs from that can hold an OpenClaw gateway. */
export function launchdFolders(roots: DiscoveryRoots): Array<{ dir: string; scope: ServiceScope }> {
  return [
    { dir: join(roots.home, 'Library', 'LaunchAgents'), scope: 'user-agent' },
    { dir: join(roots.systemRoot || '/', 'Library', 'LaunchAgents'), scope: 'global-agent' },
    { dir: join(roots.systemRoot || '/', 'Library', 'LaunchDaemons'), scope: 'daemon' },
  ];
}

const SCOPE_BONUS: Record<ServiceScope, number> = { 'user-agent': 3, 'global-agent': 1, daemon: 2 };
// A folder with thousands of plists is hostile or broken; stop early.
const MAX_FILES_PER_FOLDER = 2_000;

/** Scores how sure clawbar is that a job is the OpenClaw gateway, with the reasons a person can check. */
export function scoreGatewayJob(fileName: string, job: LaunchdJob): { score: number; reasons: string[] } {
  const reasons: string[] = [];
  let score = 0;
  const label = job.label ?? '';
  if (label === 'ai.openclaw.gateway') { score += 10; reasons.push('label is ai.openclaw.gateway (what `openclaw gateway install` writes)'); }
  else if (label.startsWith('ai.openclaw.')) { score += 8; reasons.push(`label ${label} is an OpenClaw profile service`); }
  else if (/openclaw/i.test(label)) { score += 4; reasons.push(`label ${label} mentions openclaw`); }
  const args = job.programArguments ?? (job.program ? [job.program] : []);
  if (args.some((arg) => /openclaw/i.test(arg))) { score += 3; reasons.push('its command line runs openclaw'); }
  if (args.includes('gateway')) { score += 3; reasons.push("its command line has the 'gateway' subcommand"); }
  if (args.some((arg) => /-env-wrapper\.sh$/.test(arg))) { score += 2; reasons.push('it starts through the OpenClaw env wrapper'); }
  if (score > 0 && !fileName.startsWith('ai.openclaw.') && label.startsWith('ai.openclaw.')) reasons.push(`file name ${fileName} does not match its label`);
  return { score, reasons };
}

/**
 * Finds launchd jobs that look like an OpenClaw gateway, best first. Files
 * that cannot be parsed are returned with their error rather than hiding the
 * rest.
 */
export async function discoverServices(roots: DiscoveryRoots): Promise<ServiceCandidate[]> {
  const found: ServiceCandidate[] = [];
  for (const { dir, scope } of launchdFolders(roots)) {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((name) => name.endsWith('.plist')).sort().slice(0, MAX_FILES_PER_FOLDER);
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      const named = /openclaw/i.test(name);
      try {
        const job = await readLaunchdJob(path);
        const { score, reasons } = scoreGatewayJob(name, job);
        if (score === 0) continue;
        found.push({ path, scope, job, reasons, score: score + SCOPE_BONUS[scope], error: null });
      } catch (error) {
        if (!named) continue;
        const message = error instanceof InputError ? error.message : String(error);
        found.push({ path, scope, job: null, reasons: ['file name mentions openclaw'], score: 1, error: message });
      }
    }
  }
  return found.sort((a, b) => b.score - a.score || a.path.localeCompare(b.path));
}
