import { join } from 'node:path';
import type { FixKind, FixOutcome, FixStep } from '../contract.ts';
import { FixKind as FixKindSchema, FixRequest as FixRequestSchema } from '../contract.ts';
import { InputError } from '../system/errors.ts';
import { listBundles } from './bundle.ts';
import { readTrustedManifest } from './bundle-trust.ts';
import { draftBind } from './bind.ts';
import { draftCa } from './ca.ts';
import { draftClock } from './clock.ts';
import { assertBundleFiles, assertServiceLabel } from './guards.ts';
import { REQUEST_CERT } from './manifest.ts';
import { draftProxy } from './proxy.ts';
import { openRequest } from './request-seal.ts';
import { restartSteps, type Step } from './restart.ts';
import { undoBundle } from './restore.ts';
import { StepLog } from './step-log.ts';
import { runTransaction } from './transaction.ts';
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
  // Every fix but the clock's builds file names and launchctl targets from the Label.
  if (request.kind !== 'clock') assertServiceLabel(context.service);
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
  const { plistPath: _service, ...asked } = request;
  return runTransaction(context, draft, { mode: options.mode, force: options.force ?? false, expectPlanId: options.planId, onStep: options.onStep, request: FixRequestSchema.parse(asked) });
}

/**
 * `fix reapply ID`: the request a recorded fix was made from, for a new plan
 * against the service as it is now (full preview and pre-flight). A CA comes
 * from the copy the bundle kept, so a moved or deleted original does not matter.
 */
export async function reapplyRequest(root: string, id: string, context: Pick<FixContext, 'bundleTrust'>, mode: FixOptions['mode']): Promise<FixRequest | FixOutcome> {
  try {
    const trust = await context.bundleTrust();
    const { dir, manifest } = await readTrustedManifest(root, id, trust);
    const request = openRequest(manifest.request, manifest.sealed, trust.key);
    const plistPath = manifest.plistPath ?? undefined;
    return request.kind === 'ca' ? { ...request, cert: join(dir, REQUEST_CERT), plistPath } : { ...request, plistPath };
  } catch (error) {
    if (!(error instanceof FixRefused)) throw error;
    return refused(kindOfId(id), mode, error.message, []);
  }
}

/** The kind a bundle id names (`20260101-120000-ca-1a2b`), for outcomes about a bundle that cannot be read. */
const kindOfId = (id: string): FixKind => FixKindSchema.safeParse(id.split('-')[2]).data ?? 'ca';

/**
 * `fix rollback [ID]`: restores a bundle clawbar recorded, byte for byte
 * (files, modes, owners; files the fix created are removed), undoes the
 * commands that ran, restarts the service the same way the fix did and waits
 * for the gateway. Nothing in a bundle is believed before its owner, modes
 * and signature are checked, and its files are that fix's service files.
 */
export async function rollbackFix(id: string | undefined, base: Omit<FixContext, 'service'>, options: { force?: boolean; onStep?: (step: FixStep) => void } = {}): Promise<FixOutcome> {
  const root = base.files.bundles;
  const trust = await base.bundleTrust();
  const listing = id ? null : await listBundles(root, async () => trust);
  const chosen = id ?? listing!.bundles.find((b) => b.state !== 'rolled-back')?.id;
  if (!chosen) {
    const ignored = listing?.ignored.length ? `; ${listing.ignored.length} folder(s) there were not recorded by clawbar and are ignored: ${listing.ignored.map((i) => i.id).join(', ')}` : '';
    throw new InputError(`there is no fix to roll back (see \`clawbar fix history\`)${ignored}`);
  }
  const fail = (kind: FixKind, message: string): FixOutcome => ({ ...refused(kind, 'rollback', message, []), summary: `Refused: ${message}. Nothing was changed.` });
  let opened: Awaited<ReturnType<typeof readTrustedManifest>>;
  try { opened = await readTrustedManifest(root, chosen, trust); } catch (error) {
    if (!(error instanceof FixRefused)) throw error;
    await base.audit({ fixId: chosen, kind: 'rollback', step: { step: 'rollback', status: 'failed', detail: error.message, at: new Date().toISOString() } });
    return fail(kindOfId(chosen), error.message);
  }
  const { dir, manifest } = opened;
  const service = await base.reloadService(manifest.plistPath ?? undefined);
  const context: FixContext = { ...base, service };
  const log = new StepLog(context, manifest.kind, manifest.id, options.onStep);
  const outcome = (ok: boolean, summary: string): FixOutcome => ({
    schema: 'clawbar.fix/1', kind: manifest.kind, mode: 'rollback', ok, summary, plan: null, preflight: null, bundleId: manifest.id, verify: null, steps: log.steps, findings: [],
  } satisfies FixOutcome);
  if (manifest.state === 'rolled-back' && !options.force) return outcome(false, `Fix ${manifest.id} was already rolled back.`);
  const loaded = service.facts.launchd.status === 'loaded';
  let undone: Awaited<ReturnType<typeof undoBundle>>;
  let steps: Step[] = [];
  try {
    assertBundleFiles(manifest, service, base.files.caDir);
    // The restart is rebuilt from the service as found now (its own target and plist), never taken from the bundle.
    const facts = service.facts.service;
    steps = facts?.domainTarget && manifest.plistPath && manifest.state !== 'prepared'
      ? restartSteps(manifest.restart, { target: facts.domainTarget, plistPath: facts.plistPath, loaded }) : [];
    undone = await undoBundle(base.exec, dir, manifest, steps, { force: options.force ?? false, key: trust.key });
  } catch (error) {
    if (!(error instanceof FixRefused)) throw error;
    await log.record('rollback', 'failed', error.message);
    return outcome(false, `Refused: ${error.message}. Nothing was changed.`);
  }
  for (const failure of undone.undoFailures) await log.record('rollback', 'failed', failure);
  await log.record('rollback', 'ok', undone.restored.join(', ') || 'no files to restore');
  await log.record('restart', undone.restart.ok ? 'ok' : 'failed', undone.restart.detail);
  if (!undone.restart.ok) return outcome(false, `Files restored, but the restart failed (${undone.restart.detail}); restart the service by hand.`);
  if (steps.length > 0) {
    const ready = await waitForGateway(service.facts.gateway.readyUrl, context.restartTimeoutMs);
    await log.record('verify', ready.ok ? 'ok' : 'failed', ready.ok ? 'gateway ready again' : 'gateway did not become ready');
  }
  return outcome(true, `Rolled back ${manifest.id}: ${undone.restored.length} file(s) restored${steps.length ? ' and the service restarted' : ''}.`);
}
