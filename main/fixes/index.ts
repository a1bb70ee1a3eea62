import type { FixKind, FixOutcome, FixStep } from '../contract.ts';
import { InputError } from '../system/errors.ts';
import { listBundles, readManifest } from './bundle.ts';
import { draftBind } from './bind.ts';
import { draftCa } from './ca.ts';
import { draftClock } from './clock.ts';
import { draftProxy } from './proxy.ts';
import { restartSteps } from './restart.ts';
import { undoBundle } from './restore.ts';
import { StepLog, runTransaction } from './transaction.ts';
import { waitForGateway } from './verify.ts';
import { FixRefused, type FixContext, type FixDraft } from './types.ts';

export { listFixBundles } from './bundle.ts';
export { FixRefused, type FixContext } from './types.ts';

/** The contract's one fix request, plus the service the caller names (CLI --plist, the agent's watched service). */
export type FixRequest = import('../contract.ts').ServiceFixRequest;

export interface FixOptions {
  mode: 'dry-run' | 'apply';
  force?: boolean;
  /** The plan id shown by the preview; apply refuses when the plan is no longer the same. */
  planId?: string;
  onStep?: (step: FixStep) => void;
}

function draftFor(context: FixContext, request: FixRequest): Promise<FixDraft> {
  switch (request.kind) {
    case 'ca': return draftCa(context, request.cert, request.scope ?? 'gateway');
    case 'proxy': return draftProxy(context, request.url, (request.noProxy ?? '').split(',').map((s) => s.trim()).filter(Boolean));
    case 'bind': return draftBind(context);
    case 'clock': return draftClock(context, request.server);
  }
}

function refused(kind: FixKind, mode: FixOutcome['mode'], message: string, steps: FixStep[]): FixOutcome {
  return { schema: 'clawbar.fix/1', kind, mode, ok: false, summary: `Refused: ${message}. Nothing was changed.`, plan: null, preflight: null, bundleId: null, verify: null, steps, findings: [] };
}

/**
 * Plans a fix and, with mode `apply`, carries it out as one transaction.
 * Bad input (a leaf certificate, a bad URL) throws InputError/UsageError;
 * a fix that must not go ahead comes back as an outcome with ok false.
 */
export async function runFix(request: FixRequest, context: FixContext, options: FixOptions): Promise<FixOutcome> {
  const log = new StepLog(context, request.kind, `plan-${Date.now().toString(36)}`, options.onStep);
  let draft: FixDraft;
  try {
    draft = await draftFor(context, request);
  } catch (error) {
    if (!(error instanceof FixRefused)) throw error;
    await log.record('plan', 'failed', error.message);
    return refused(request.kind, options.mode, error.message, log.steps);
  }
  if (draft.writes.length === 0 && draft.commands.length === 0) {
    await log.record('plan', 'ok', 'nothing to change');
    return { ...refused(request.kind, options.mode, '', log.steps), ok: true, summary: `Nothing to change: ${draft.title.replace(/^./, (c) => c.toLowerCase())} is already the case.` };
  }
  return runTransaction(context, draft, { mode: options.mode, force: options.force ?? false, expectPlanId: options.planId, onStep: options.onStep });
}

/**
 * `fix rollback [ID]`: restores a bundle byte for byte (files, modes, owners;
 * files the fix created are removed), undoes its commands, restarts the
 * service the same way the fix did and waits for the gateway.
 */
export async function rollbackFix(id: string | undefined, base: Omit<FixContext, 'service'>, options: { force?: boolean; onStep?: (step: FixStep) => void } = {}): Promise<FixOutcome> {
  const root = base.files.bundles;
  const chosen = id ?? (await listBundles(root)).find((b) => b.state !== 'rolled-back')?.id;
  if (!chosen) throw new InputError('there is no fix to roll back (see `clawbar fix history`)');
  const { dir, manifest } = await readManifest(root, chosen);
  const exec = base.exec;
  const service = await base.reloadService(manifest.plistPath ?? undefined);
  const context: FixContext = { ...base, service };
  const log = new StepLog(context, manifest.kind, manifest.id, options.onStep);
  const outcome = (ok: boolean, summary: string): FixOutcome => ({
    schema: 'clawbar.fix/1', kind: manifest.kind, mode: 'rollback', ok, summary, plan: null, preflight: null, bundleId: manifest.id, verify: null, steps: log.steps, findings: [],
  } satisfies FixOutcome);
  if (manifest.state === 'rolled-back' && !options.force) return outcome(false, `Fix ${manifest.id} was already rolled back.`);
  const loaded = service.facts.launchd.status === 'loaded';
  const steps = manifest.serviceTarget && manifest.plistPath && manifest.state !== 'prepared'
    ? restartSteps(manifest.restart, { target: manifest.serviceTarget, plistPath: manifest.plistPath, loaded }) : [];
  let undone: Awaited<ReturnType<typeof undoBundle>>;
  try {
    undone = await undoBundle(exec, dir, manifest, steps, { force: options.force ?? false });
  } catch (error) {
    if (!(error instanceof FixRefused)) throw error;
    await log.record('rollback', 'failed', error.message);
    return outcome(false, `Refused: ${error.message}.`);
  }
  const { restored, restart } = undone;
  for (const failure of undone.undoFailures) await log.record('rollback', 'failed', failure);
  await log.record('rollback', 'ok', restored.join(', ') || 'no files to restore');
  await log.record('restart', restart.ok ? 'ok' : 'failed', restart.detail);
  if (!restart.ok) return outcome(false, `Files restored, but the restart failed (${restart.detail}); restart the service by hand.`);
  if (steps.length > 0) {
    const ready = await waitForGateway(service.facts.gateway.readyUrl, context.restartTimeoutMs);
    await log.record('verify', ready.ok ? 'ok' : 'failed', ready.ok ? 'gateway ready again' : 'gateway did not become ready');
  }
  return outcome(true, `Rolled back ${manifest.id}: ${restored.length} file(s) restored${steps.length ? ' and the service restarted' : ''}.`);
}
