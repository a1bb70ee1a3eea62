import { join } from 'node:path';
import type { FixKind, FixOutcome, FixStep } from '../contract.ts';
import { applyPins, defaultTargets, loadAllowlist, parseTargetUrl } from '../probes/targets.ts';
import { loadServiceEnvironment } from '../service/environment.ts';
import { execCommand, type Executor } from '../system/exec.ts';
import { InputError } from '../system/errors.ts';
import { clawbarPaths } from '../system/paths.ts';
import { bundlesDir, listBundles, readManifest } from './bundle.ts';
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
export { FixRefused } from './types.ts';

export type FixRequest =
  | { kind: 'ca'; cert: string; scope?: 'gateway' | 'system'; plistPath?: string }
  | { kind: 'proxy'; url: string; noProxy?: string; plistPath?: string }
  | { kind: 'bind'; plistPath?: string }
  | { kind: 'clock'; server?: string; plistPath?: string };

export interface FixOptions {
  mode: 'dry-run' | 'apply';
  force?: boolean;
  /** The plan id shown by the preview; apply refuses when the plan is no longer the same. */
  planId?: string;
  onStep?: (step: FixStep) => void;
  home?: string;
  exec?: Executor;
  /** The caller's environment (PATH, HOME, XDG); defaults to this process's. */
  env?: Record<string, string | undefined>;
  /** Probe targets for the pre-flight and verification (URLs); default: what `clawbar probe` would probe. */
  targets?: string[];
  resolve?: string[];
  dnsServers?: string[];
  timeoutMs?: number;
  restartTimeoutMs?: number;
}

const DEFAULT_RESTART_TIMEOUT_MS = 90_000;

async function buildContext(request: FixRequest, options: Omit<FixOptions, 'mode'>): Promise<FixContext> {
  const env = options.env ?? { ...process.env, ...(options.home ? { HOME: options.home } : {}) };
  const exec = options.exec ?? execCommand;
  const service = await loadServiceEnvironment({ plistPath: request.plistPath, exec, home: env.HOME, shellEnv: env });
  const explicit = (options.targets ?? []).map(parseTargetUrl);
  const allowlist = explicit.length > 0 ? [] : await loadAllowlist(join(clawbarPaths(env).configDir, 'allowlist.yaml'));
  const targets = applyPins(explicit.length > 0 ? explicit : defaultTargets(service.report.gateway, service.config, allowlist), options.resolve ?? []);
  return {
    service, exec, env, targets, dnsServers: options.dnsServers ?? [], timeoutMs: options.timeoutMs ?? 8_000,
    restartTimeoutMs: options.restartTimeoutMs ?? DEFAULT_RESTART_TIMEOUT_MS,
  };
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
export async function runFix(request: FixRequest, options: FixOptions): Promise<FixOutcome> {
  const context = await buildContext(request, options);
  const log = new StepLog(context, request.kind, `plan-${Date.now().toString(36)}`, options.onStep);
  let draft: FixDraft;
  try {
    draft = await draftFor(context, request);
  } catch (error) {
    if (!(error instanceof FixRefused)) throw error;
    await log.record('plan', 'failed', error.message);
    return context.service.redactor.deep(refused(request.kind, options.mode, error.message, log.steps));
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
export async function rollbackFix(id: string | undefined, options: Partial<FixOptions> = {}): Promise<FixOutcome> {
  const env = options.env ?? { ...process.env, ...(options.home ? { HOME: options.home } : {}) };
  const root = bundlesDir(env);
  const chosen = id ?? (await listBundles(root)).find((b) => b.state !== 'rolled-back')?.id;
  if (!chosen) throw new InputError('there is no fix to roll back (see `clawbar fix history`)');
  const { dir, manifest } = await readManifest(root, chosen);
  const exec = options.exec ?? execCommand;
  const service = await loadServiceEnvironment({ plistPath: manifest.plistPath ?? undefined, exec, home: env.HOME, shellEnv: env });
  const context: FixContext = { service, exec, env, targets: [], dnsServers: [], timeoutMs: 8_000, restartTimeoutMs: options.restartTimeoutMs ?? DEFAULT_RESTART_TIMEOUT_MS };
  const log = new StepLog(context, manifest.kind, manifest.id, options.onStep);
  const outcome = (ok: boolean, summary: string): FixOutcome => service.redactor.deep({
    schema: 'clawbar.fix/1', kind: manifest.kind, mode: 'rollback', ok, summary, plan: null, preflight: null, bundleId: manifest.id, verify: null, steps: log.steps, findings: [],
  } satisfies FixOutcome);
  if (manifest.state === 'rolled-back' && !options.force) return outcome(false, `Fix ${manifest.id} was already rolled back.`);
  const loaded = service.report.launchd.status === 'loaded';
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
    const ready = await waitForGateway(service.report.gateway.readyUrl, context.restartTimeoutMs);
    await log.record('verify', ready.ok ? 'ok' : 'failed', ready.ok ? 'gateway ready again' : 'gateway did not become ready');
  }
  return outcome(true, `Rolled back ${manifest.id}: ${restored.length} file(s) restored${steps.length ? ' and the service restarted' : ''}.`);
}
