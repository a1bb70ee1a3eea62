import { FixRequest, type FixBundleSummary, type FixKind, type FixOutcome, type FixStep, type ServiceFixRequest } from '../contract.ts';
import type { Session } from '../session/session.ts';
import type { Out } from './emit.ts';
import { UsageError } from '../system/errors.ts';
import { EXIT } from '../system/errors.ts';
import { badge, heading, table } from './output.ts';

export interface FixArgs {
  sub: string | undefined;
  id: string | undefined;
  plist?: string;
  cert?: string;
  scope?: string;
  url?: string;
  noProxy?: string;
  server?: string;
  dryRun: boolean;
  apply: boolean;
  force: boolean;
  plan?: string;
  json: boolean;
  target: string[];
  resolve: string[];
  dnsServer: string[];
  timeoutMs: number;
  restartTimeoutMs: number;
}

const SUBCOMMANDS = ['ca', 'proxy', 'bind', 'clock', 'rollback', 'history', 'reapply'];

/** Why an option is refused, by the request field zod found wrong; the value itself is never echoed (a proxy URL holds a password). */
const USAGE: Record<string, (given: boolean) => string> = {
  cert: () => 'fix ca needs --cert FILE (PEM, DER or a PEM bundle)',
  scope: () => '--scope must be gateway or system',
  url: (given) => (given ? '--url is not a URL (expected http://[user:password@]host:port)' : 'fix proxy needs --url http://[user:password@]host:port'),
};

/** The options of `fix <kind>` as the contract's FixRequest, checked by the same schema IPC uses. */
function request(args: FixArgs): ServiceFixRequest {
  const options: Record<FixKind, Record<string, string | undefined>> = { ca: { cert: args.cert, scope: args.scope ?? 'gateway' }, proxy: { url: args.url, noProxy: args.noProxy }, bind: {}, clock: { server: args.server } };
  const fields = options[args.sub as FixKind];
  const parsed = FixRequest.safeParse({ kind: args.sub, ...fields });
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? '');
    throw new UsageError(USAGE[field]?.(fields[field] !== undefined) ?? `fix ${args.sub}: ${parsed.error.issues[0]?.message ?? 'bad options'}`);
  }
  return { ...parsed.data, plistPath: args.plist };
}

/** `clawbar fix ca|proxy|bind|clock|rollback|history`. */
export async function fixCommand(session: Session, args: FixArgs, out: Out): Promise<number> {
  if (!args.sub || !SUBCOMMANDS.includes(args.sub)) throw new UsageError(`fix needs one of: ${SUBCOMMANDS.join(', ')}`);
  if (args.id !== undefined && args.sub !== 'rollback' && args.sub !== 'reapply') throw new UsageError(`fix ${args.sub} takes no argument '${args.id}'`);
  if (args.sub === 'reapply' && args.id === undefined) throw new UsageError('fix reapply needs the id of the fix to put back (see `clawbar status` or `clawbar fix history`)');
  if (args.dryRun && args.apply) throw new UsageError('choose --dry-run or --apply, not both');
  if (!Number.isInteger(args.timeoutMs) || args.timeoutMs < 100 || args.timeoutMs > 120_000) throw new UsageError('--timeout must be between 100 and 120000 ms');
  if (!Number.isInteger(args.restartTimeoutMs) || args.restartTimeoutMs < 1_000 || args.restartTimeoutMs > 600_000) throw new UsageError('--restart-timeout must be between 1000 and 600000 ms');
  if (args.sub === 'history') {
    const bundles = await session.fixHistory();
    out.print(args.json, { schema: 'clawbar.fix-history/1', bundles }, () => formatHistory(bundles));
    return EXIT.ok;
  }
  const onStep = (step: FixStep) => out.progress(`  ${step.step.padEnd(9)} ${step.status.padEnd(7)} ${step.detail}`);
  const common = { onStep, targets: args.target, pins: args.resolve, dnsServers: args.dnsServer, timeoutMs: args.timeoutMs, restartTimeoutMs: args.restartTimeoutMs, force: args.force };
  const outcome = args.sub === 'rollback'
    ? await session.rollback(args.id, common)
    : args.sub === 'reapply'
      ? await session.reapply(args.id!, args.apply ? 'apply' : 'dry-run', { ...common, planId: args.plan })
      : await session.fix(request(args), args.apply ? 'apply' : 'dry-run', { ...common, planId: args.plan });
  out.print(args.json, outcome, () => formatOutcome(outcome));
  return outcome.ok ? EXIT.ok : EXIT.critical;
}

const octal = (mode: number | null) => (mode === null ? '—' : `0${mode.toString(8)}`);

export function formatOutcome(outcome: FixOutcome): string {
  const lines: string[] = [];
  const plan = outcome.plan;
  if (plan) {
    lines.push(`${heading(`Fix ${plan.kind}`)}  ${plan.title}`, `  plan ${plan.planId}${plan.needsAdmin ? '  (needs an administrator)' : ''}`, '');
    lines.push(...plan.explanation.map((line) => `  ${line}`));
    for (const file of plan.files) {
      lines.push('', `${heading('File')} ${file.path}  [${file.role}; ${file.existed ? (file.modeBefore === file.modeAfter ? `mode ${octal(file.modeAfter)}` : `mode ${octal(file.modeBefore)} → ${octal(file.modeAfter)}`) : `new, mode ${octal(file.modeAfter)}`}]`);
      lines.push(...file.diff.trimEnd().split('\n').map((line) => `  ${line}`));
    }
    if (plan.commands.length > 0) lines.push('', heading('Commands'), ...plan.commands.map((c) => `  $ ${c}`));
    if (plan.notes.length > 0) lines.push('', heading('Notes'), ...plan.notes.map((n) => `  - ${n}`));
  }
  if (outcome.preflight) {
    const { before, after } = outcome.preflight;
    lines.push('', `${heading('Pre-flight')}  ${outcome.preflight.verdict}`);
    lines.push(...table([['target', 'now', 'with the fix'], ...before.targets.map((t) => {
      const next = after.targets.find((a) => a.target === t.target);
      return [t.target, t.ok ? 'ok' : (t.layer ?? 'fail'), next ? (next.ok ? 'ok' : (next.layer ?? 'fail')) : '?'];
    })]).map((l) => `  ${l}`));
  }
  if (outcome.findings.length > 0) lines.push('', ...outcome.findings.map((f) => `  ${badge(f.severity)}  ${f.title}`));
  const done = outcome.steps.filter((s) => s.step !== 'plan' && s.step !== 'preview');
  if (outcome.mode !== 'dry-run' && done.length > 0) lines.push('', heading('Steps'), ...done.map((s) => `  ${s.status === 'ok' ? 'ok  ' : s.status === 'failed' ? 'FAIL' : 'skip'}  ${s.step.padEnd(9)} ${s.detail}`));
  lines.push('', `${badge(outcome.ok ? 'ok' : 'critical')}  ${outcome.summary}`);
  return `${lines.join('\n')}\n`;
}

export function formatHistory(bundles: FixBundleSummary[]): string {
  if (bundles.length === 0) return 'No fixes yet.\n';
  return `${table([['id', 'kind', 'state', 'files', 'what'], ...bundles.map((b) => [b.id, b.kind, b.state, String(b.files.length), b.summary])], 120).join('\n')}\n`;
}
