import { access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import { whichOnPath } from '../service/shell-diff.ts';
import { listBundles } from './bundle.ts';
import type { Step } from './restart.ts';
import type { FixContext, FixDraft } from './types.ts';

/**
 * What stops a fix from being applied here and now: an interrupted fix not
 * yet rolled back (only bundles clawbar recorded count: a planted one can
 * neither block a fix nor be chosen), a folder it cannot write in, a tool it
 * needs that is not installed, administrator rights it cannot ask for.
 */
export async function checksBeforeApply(context: FixContext, draft: FixDraft, restart: Step[], force: boolean): Promise<string[]> {
  const problems: string[] = [];
  const pending = (await listBundles(context.files.bundles, context.bundleTrust)).bundles.filter((b) => b.state === 'prepared' || b.state === 'applied');
  if (pending.length > 0 && !force) problems.push(`fix ${pending[0]!.id} was interrupted (state ${pending[0]!.state}); run \`clawbar fix rollback ${pending[0]!.id}\` first`);
  for (const write of draft.writes) {
    const ok = await access(dirname(write.path), constants.W_OK).then(() => true, () => false);
    if (!ok) problems.push(`cannot write in ${dirname(write.path)} (read-only, or owned by another account: run as its owner)`);
  }
  const isRoot = process.getuid?.() === 0;
  const needed = [...draft.commands, ...restart];
  for (const command of new Set(needed.map((c) => c.command))) {
    if (!whichOnPath(command, context.env.PATH)) problems.push(`${command} is not available here${command === 'launchctl' ? ', so the service cannot be restarted' : ''}`);
  }
  if (needed.some((c) => c.admin) && !isRoot && context.platform !== 'darwin') problems.push('this fix needs administrator rights: run it with sudo');
  return [...new Set(problems)];
}

/** The service files of the plan that are symbolic links: a write would replace the link with a file, and a rollback could not bring the link back. */
export function symlinkedWrites(draft: FixDraft): string[] {
  return draft.writes.filter((w) => w.symlink).map((w) => `${w.path} is a symbolic link (to ${w.symlink})`);
}
