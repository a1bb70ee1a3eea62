import { readFile } from 'node:fs/promises';
import type { Finding, FixOutcome, FixPlan, FixRequest, FixStep } from '../contract.ts';
import { writeFileAtomic } from '../system/atomic-write.ts';
import { checksBeforeApply, symlinkedWrites } from './apply-checks.ts';
import { createBundle, discardBundle, newBundleId, writeManifest } from './bundle.ts';
import { sha256, type BundleManifest } from './manifest.ts';
import { buildPlan } from './preview.ts';
import { preflight, type Preflight } from './preflight.ts';
import { restartSteps, runRestart, runStep, commandLine, type Step } from './restart.ts';
import { undoBundle } from './restore.ts';
import { StepLog } from './step-log.ts';
import { verifyFix, gatewayAnswers } from './verify.ts';
import type { FixContext, FixDraft } from './types.ts';

export { StepLog } from './step-log.ts';

export interface TransactionOptions {
  mode: 'dry-run' | 'apply';
  /** Apply even when the pre-flight says it makes things worse, or an interrupted fix is pending. */
  force: boolean;
  /** The plan id the operator reviewed; apply refuses when the plan is no longer the same. */
  expectPlanId?: string;
  onStep?: (step: FixStep) => void;
  /** The request the draft was made from, kept in the bundle so `fix reapply` can plan it again. */
  request: FixRequest;
}

type FaultPoint = 'after-backup' | 'mid-write' | 'between-writes' | 'before-restart';

/**
 * Crash-test points: the process kills itself there, as a power cut would.
 * Only the crash-consistency tests name one (CLAWBAR_FAULT_AT, read at the edge).
 */
function faultPoint(context: FixContext, name: FaultPoint): void {
  if (context.faultAt === name) process.kill(process.pid, 'SIGKILL');
}

async function rollBack(context: FixContext, log: StepLog, dir: string, manifest: BundleManifest, restart: Step[]): Promise<void> {
  await log.record('rollback', 'running', 'restoring the previous files');
  const { key } = await context.bundleTrust();
  const undone = await undoBundle(context.exec, dir, manifest, restart, { force: true, key });
  const detail = [undone.restored.join(', ') || 'nothing to restore', ...undone.undoFailures, undone.restart.detail].join('; ');
  await log.record('rollback', undone.restart.ok && undone.undoFailures.length === 0 ? 'ok' : 'failed', detail);
}

/**
 * One transaction for every fix: plan → preview → pre-flight → backup →
 * atomic write → commands → restart → verify → report, with an automatic
 * rollback when the restart or the verification fails.
 */
export async function runTransaction(context: FixContext, draft: FixDraft, options: TransactionOptions): Promise<FixOutcome> {
  context.addSecrets(...draft.secrets);
  const service = context.service.facts.service;
  const loaded = context.service.facts.launchd.status === 'loaded';
  const restart: Step[] = service?.domainTarget ? restartSteps(draft.restart, { target: service.domainTarget, plistPath: service.plistPath, loaded }) : [];
  const log = new StepLog(context, draft.kind, `plan-${Date.now().toString(36)}`, options.onStep);
  const findings: Finding[] = [];
  let plan: FixPlan | null = null;
  let checked: Preflight | null = null;
  const outcome = (ok: boolean, summary: string, extra: Partial<FixOutcome> = {}): FixOutcome => ({
    schema: 'clawbar.fix/1', kind: draft.kind, mode: options.mode, ok, summary, plan, preflight: checked, bundleId: null, verify: null,
    steps: log.steps, findings, ...extra,
  } satisfies FixOutcome);

  await log.record('plan', 'ok', draft.title);
  plan = buildPlan(draft, restart);
  await log.record('preview', 'ok', `plan ${plan.planId}: ${plan.files.length} file(s), ${plan.commands.length} command(s)`);
  const links = symlinkedWrites(draft);
  if (links.length > 0) {
    await log.record('preview', 'failed', links.join('; '));
    return outcome(false, `Refused: ${links.join('; ')}. clawbar does not write through a link (the write would replace it with a file); point the service at the real file, then preview again. Nothing was changed.`);
  }
  if (options.mode === 'apply' && options.expectPlanId && options.expectPlanId !== plan.planId) {
    await log.record('preview', 'failed', `plan ${plan.planId} is not the reviewed plan ${options.expectPlanId}`);
    return outcome(false, `Refused: the plan changed since it was reviewed (${options.expectPlanId} → ${plan.planId}); a service file was changed by someone else. Preview again.`);
  }
  const problems = await checksBeforeApply(context, draft, restart, options.force);
  for (const problem of problems) findings.push({ id: 'fix.blocked', severity: options.mode === 'apply' ? 'critical' : 'warn', title: problem, fix: null });
  if (options.mode === 'apply' && problems.length > 0) {
    await log.record('preflight', 'skipped', problems.join('; '));
    return outcome(false, `Refused: ${problems.join('; ')}. Nothing was changed.`);
  }

  if (draft.candidate) {
    await log.record('preflight', 'running', `probing ${context.targets.length} target(s) under the current and the candidate environment`);
    checked = await preflight(context, draft);
    await log.record('preflight', checked.worse ? 'failed' : 'ok', checked.verdict);
  } else {
    await log.record('preflight', 'skipped', draft.noPreflightBecause ?? 'nothing to probe');
  }
  const verdict = await draft.preflightCheck?.(context) ?? null;
  if (verdict) {
    findings.push(verdict.finding);
    await log.record('preflight', verdict.finding.severity === 'ok' ? 'ok' : 'failed', verdict.detail);
  }
  if (options.mode === 'dry-run') return outcome(!checked?.worse, `Dry run: ${checked?.verdict ?? 'no probe pre-flight'}. Apply with --apply --plan ${plan.planId}.`);
  if (checked?.worse && !options.force) return outcome(false, `Refused: the change makes things worse (${checked.verdict}). Nothing was changed; --force overrides.`);

  const healthyBefore = service ? await gatewayAnswers(context.service.facts.gateway.healthUrl, 2_000) : false;
  const trust = await context.bundleTrust();
  const { dir, manifest } = await createBundle(context.files.bundles, {
    id: newBundleId(draft.kind), kind: draft.kind, summary: plan.title, plistPath: service?.plistPath ?? null,
    serviceTarget: service?.domainTarget ?? null, restart: draft.restart, writes: draft.writes, commands: draft.commands, attachments: draft.attachments,
    request: options.request, expect: draft.expect,
  }, trust);
  log.id = manifest.id;
  await log.record('backup', 'ok', `rollback bundle ${manifest.id} in ${dir}`);
  faultPoint(context, 'after-backup');

  // Someone may have changed a file during the pre-flight: the backup must be of what the plan was made from.
  for (const write of draft.writes) {
    const now = await readFile(write.path).then(sha256, () => null);
    if (now !== (write.before ? sha256(write.before) : null)) {
      await discardBundle(dir);
      await log.record('write', 'failed', `${write.path} changed since the preview`);
      return outcome(false, `Refused: ${write.path} was changed by someone else since the preview. Nothing was changed; preview again.`);
    }
  }
  try {
    for (const [index, write] of draft.writes.entries()) {
      await writeFileAtomic(write.path, write.content, {
        mode: write.mode, ...(write.uid !== null && write.gid !== null ? { uid: write.uid, gid: write.gid } : {}),
        beforeRename: index === 0 ? () => faultPoint(context, 'mid-write') : undefined,
      });
      if (index === 0 && draft.writes.length > 1) faultPoint(context, 'between-writes');
    }
  } catch (error) {
    await rollBack(context, log, dir, manifest, []);
    await log.record('write', 'failed', (error as Error).message);
    return outcome(false, `Write failed (${(error as Error).message}); the previous files were restored.`, { bundleId: manifest.id });
  }
  manifest.state = 'applied';
  await writeManifest(dir, manifest, trust.key);
  await log.record('write', 'ok', draft.writes.map((w) => w.path).join(', ') || 'no files');

  const runOptions = { isRoot: process.getuid?.() === 0, platform: context.platform };
  for (const [index, command] of draft.commands.entries()) {
    // Commands name the files they need in the bundle as {bundle}, which exists only now.
    const result = await runStep(context.exec, { ...command, args: command.args.map((a) => a.replace('{bundle}', dir)) }, runOptions);
    if (result.code !== 0) {
      await log.record('write', 'failed', `${commandLine(command)}: ${(result.stderr || result.stdout).trim()}`);
      await rollBack(context, log, dir, manifest, []);
      return outcome(false, `${command.command} failed: ${(result.stderr || result.stdout).trim() || `exit ${result.code}`}. The previous files were restored.`, { bundleId: manifest.id });
    }
    // Only a command that ran is ever undone: a CA trusted before the fix stays trusted if the fix stops early.
    for (const undo of manifest.undo) if (undo.command === index) undo.ran = true;
    if (manifest.undo.some((undo) => undo.command === index)) await writeManifest(dir, manifest, trust.key);
  }
  faultPoint(context, 'before-restart');
  await log.record('restart', 'running', restart.map((s) => commandLine(s)).join('; ') || 'no restart needed');
  const restarted = await runRestart(context.exec, restart, runOptions);
  await log.record('restart', restarted.ok ? 'ok' : 'failed', restarted.detail);
  if (!restarted.ok) {
    await rollBack(context, log, dir, manifest, restart);
    return outcome(false, `Restart failed (${restarted.detail}); rolled back.`, { bundleId: manifest.id });
  }

  await log.record('verify', 'running', 'waiting for the gateway and re-probing');
  const verify = await verifyFix(context, draft, { healthyBefore, restarted: restart.length > 0, failedBefore: checked?.before.targets.filter((t) => !t.ok).map((t) => t.target) ?? [], predicted: checked?.after ?? null });
  await log.record('verify', verify.ok ? 'ok' : 'failed', verify.detail);
  if (!verify.ok) {
    manifest.state = 'failed';
    await writeManifest(dir, manifest, trust.key);
    await rollBack(context, log, dir, manifest, restart);
    return outcome(false, `Verification failed (${verify.detail}); rolled back to the previous files.`, { bundleId: manifest.id, verify });
  }
  manifest.state = 'verified';
  manifest.fixed.targets = verify.probes?.targets.filter((t) => t.ok).map((t) => t.target) ?? [];
  await writeManifest(dir, manifest, trust.key);
  await log.record('report', 'ok', `applied and verified; undo with clawbar fix rollback ${manifest.id}`);
  return outcome(true, `Applied and verified. Undo with: clawbar fix rollback ${manifest.id}`, { bundleId: manifest.id, verify });
}
