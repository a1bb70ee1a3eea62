import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import { build as buildPlist } from 'plist';
import type { FileChange, FixPlan } from '../contract.ts';
import { parsePlistBytes } from '../service/plist.ts';
import { sha256 } from './bundle.ts';
import { commandLine, type Step } from './restart.ts';
import type { FixDraft } from './types.ts';

/** Text to diff: binary plists are shown as their XML equivalent, since a byte diff says nothing. */
function diffable(bytes: Buffer | null, path: string): { text: string; note: string | null } {
  if (!bytes) return { text: '', note: null };
  if (bytes.subarray(0, 6).toString('latin1') === 'bplist') {
    try {
      return { text: `${buildPlist(parsePlistBytes(bytes, path).value as never)}\n`, note: '(binary plist, shown as XML)' };
    } catch {
      return { text: `<${bytes.length} bytes of binary plist>\n`, note: null };
    }
  }
  return { text: bytes.toString('utf8'), note: null };
}

const octal = (mode: number | null) => (mode === null ? 'none' : `0${(mode & 0o7777).toString(8)}`);

/** A unified diff of one file (its secrets are redacted at the exits), with the mode change in the header when there is one. */
export function fileChange(write: FixDraft['writes'][number]): FileChange {
  const before = write.display ? { text: write.display.before, note: null } : diffable(write.before, write.path);
  const after = write.display ? { text: write.display.after, note: '(certificates, one per line)' } : diffable(write.content, write.path);
  const modeNote = write.beforeMode !== null && write.beforeMode !== write.mode ? `mode ${octal(write.beforeMode)} → ${octal(write.mode)}` : write.before === null ? `new file, mode ${octal(write.mode)}` : '';
  const header = [after.note, modeNote].filter(Boolean).join('; ');
  const patch = createTwoFilesPatch(write.before ? `a${write.path}` : '/dev/null', `b${write.path}`, before.text, after.text, undefined, header || undefined, { context: 3 });
  return {
    path: write.path,
    role: write.role,
    existed: write.before !== null,
    modeBefore: write.beforeMode,
    modeAfter: write.mode,
    sha256Before: write.before ? sha256(write.before) : null,
    sha256After: sha256(write.content),
    diff: patch.split('\n').filter((line) => !/^=+$/.test(line) && !line.startsWith('Index: ')).join('\n'),
  };
}

/**
 * The plan as the operator reviews it. Its id is a hash of what is there now
 * and what will be written, so `--apply --plan ID` refuses if anything changed
 * between the preview and the apply.
 */
export function buildPlan(draft: FixDraft, restart: Step[]): FixPlan {
  const files = draft.writes.map((write) => fileChange(write));
  const commands = [...draft.commands.map((c) => commandLine(c)), ...restart.map((step) => commandLine(step))];
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.path}\0${f.sha256Before}\0${f.sha256After}\0${f.modeAfter}\n`);
  for (const c of commands) hash.update(`${c}\n`);
  return {
    kind: draft.kind,
    planId: hash.digest('hex').slice(0, 12),
    title: draft.title,
    explanation: draft.explanation,
    files,
    commands,
    needsAdmin: draft.commands.some((c) => c.admin) || restart.some((s) => s.admin),
    notes: [...draft.writes.filter((w) => w.symlink).map((w) => `${w.path} is a symbolic link to ${w.symlink}: writing it would replace the link with a file (and a rollback could not bring the link back), so this fix refuses.`), ...draft.notes],
  };
}
