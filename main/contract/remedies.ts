import type { FixInput, FixKind, Remedy, RemedyFix, ViewName } from './remedy.ts';

/**
 * Building remedies, without zod: the probe child classifies its own
 * failures and attaches their remedies, and a child that loaded zod would
 * spend ~40 ms of its start on it (bench:probe). The schemas stay in
 * remedy.ts; the parent validates every result the child sends against them,
 * and test/unit/contract/remedy.test.ts holds FIX_NEEDS to what FixRequest demands.
 */

/** The inputs each fix cannot run without and only the operator can give. */
export const FIX_NEEDS: Readonly<Record<FixKind, readonly FixInput[]>> = { ca: ['cert'], proxy: ['url'], bind: [], clock: [] };

/** What the operator types for each input the diagnosis cannot know. */
const PLACEHOLDER: Record<FixInput, string> = { cert: '<CA file>', url: '<proxy URL>' };

/** Quotes a value for sh only when it needs it, so the usual command stays easy to read. */
const shellWord = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

function fixCommand(fix: RemedyFix): string {
  const words = ['clawbar', 'fix', fix.kind];
  const option = (flag: string, value: string | undefined, input?: FixInput) => {
    if (value !== undefined) words.push(flag, shellWord(value));
    else if (input && fix.needs.includes(input)) words.push(flag, PLACEHOLDER[input]);
  };
  if (fix.kind === 'ca') { option('--cert', fix.request.cert, 'cert'); option('--scope', fix.request.scope); }
  if (fix.kind === 'proxy') { option('--url', fix.request.url, 'url'); option('--no-proxy', fix.request.noProxy); }
  if (fix.kind === 'clock') option('--server', fix.request.server);
  return words.join(' ');
}

export type RequestOf<K extends FixKind> = Extract<RemedyFix, { kind: K }>['request'];

/**
 * The remedy that is a guided fix: it opens the fix wizard with the request
 * filled in, and its command is the same fix on the CLI. `needs` lists the
 * operator's inputs the request does not carry yet. Unchecked: fixRemedy
 * (remedy-checked.ts) checks the request's values against the schema, and
 * the probe child's results are checked by its parent.
 */
export function fixRemedyUnchecked<K extends FixKind>(kind: K, request?: RequestOf<K>): Remedy {
  const given = { ...request } as Partial<Record<FixInput, unknown>>;
  const needs = FIX_NEEDS[kind].filter((input) => given[input] === undefined);
  const fix = { kind, request: { ...request }, needs } as RemedyFix;
  return { fix, view: 'fixes', command: fixCommand(fix) };
}

/** The remedy that is no guided fix: the view that explains the problem, and the command to run if there is one. */
export function viewRemedy(view: ViewName, command: string | null = null): Remedy {
  return { fix: null, view, command };
}
