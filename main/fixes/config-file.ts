import { setJson5Value } from './json5-edit.ts';
import { serviceOpenclawCli, validateWithOpenclaw } from './openclaw-cli.ts';
import { currentFile } from './service-files.ts';
import { FixRefused, type FileWrite, type FixContext } from './types.ts';

/**
 * Values changed in openclaw.json (JSON5), comments and layout kept, then
 * judged by the service's own OpenClaw CLI when it is installed here. A config
 * that will hold a credential is made private to its owner.
 */
export async function configWrite(context: FixContext, edits: Array<[keyPath: string[], value: unknown]>, options: { holdsSecret: boolean }): Promise<{ write: FileWrite; notes: string[] }> {
  const path = context.service.facts.gateway.configPath;
  const current = await currentFile(path);
  let text = current.before?.toString('utf8') ?? '{}\n';
  for (const [keyPath, value] of edits) {
    try {
      text = setJson5Value(text, keyPath, value);
    } catch (error) {
      throw new FixRefused(`cannot edit ${path} safely (${(error as Error).message}); set ${keyPath.join('.')} with \`openclaw config set\``);
    }
  }
  const notes: string[] = [];
  const cli = serviceOpenclawCli(context.service);
  const verdict = cli ? await validateWithOpenclaw(context.exec, cli, context.service.env, text) : null;
  if (verdict && !verdict.valid) throw new FixRefused(`OpenClaw rejects the edited config: ${verdict.issues.join('; ')}`);
  notes.push(verdict ? `OpenClaw (${cli!.entry}) validated the edited config.` : 'OpenClaw\'s CLI is not available here: the edit was checked by parsing it back as JSON5.');
  let mode = current.beforeMode ?? 0o600;
  if (options.holdsSecret && (mode & 0o077) !== 0) {
    notes.push(`${path} will hold a credential and is readable by others (mode 0${mode.toString(8)}): it becomes 0600.`);
    mode = 0o600;
  }
  return { write: { path, role: 'config', content: Buffer.from(text), mode, ...current }, notes };
}
