import type { FixBundleSummary, FixOutcome, FixStep } from '../contract.ts';
import type { FixRequest } from '../ipc-contract.ts';
import type { Executor } from '../system/exec.ts';

/**
 * The agent's door to the fix engine (main/fixes). Loaded on first use: most
 * sessions never open the fix wizard, and the menu-bar app should start fast.
 */
const engine = () => import('../fixes/index.ts');

export interface FixContext {
  home: string;
  /** The operator's environment (PATH decides which tools exist, HOME where bundles live). */
  env: Record<string, string | undefined>;
  exec?: Executor;
  /** The service the agent watches; IPC requests never name files themselves. */
  plistPath: string | null;
  onStep: (step: FixStep) => void;
}

/** Adds the watched service's plist to a request from the renderer (the clock fix has none). */
function withService(request: FixRequest, plistPath: string | null) {
  if (request.kind === 'clock' || !plistPath) return request;
  return { ...request, plistPath };
}

/** `planId`: the previewed plan; apply refuses when the files no longer match it. */
export async function runFixFor(request: FixRequest, mode: 'dry-run' | 'apply', context: FixContext, planId?: string): Promise<FixOutcome> {
  const { runFix } = await engine();
  return runFix(withService(request, context.plistPath), { mode, planId, onStep: context.onStep, home: context.home, env: context.env, exec: context.exec });
}

export async function rollbackFor(id: string | undefined, context: FixContext): Promise<FixOutcome> {
  const { rollbackFix } = await engine();
  return rollbackFix(id, { onStep: context.onStep, home: context.home, env: context.env, exec: context.exec });
}

export async function fixBundles(env: Record<string, string | undefined>): Promise<FixBundleSummary[]> {
  const { listFixBundles } = await engine();
  return listFixBundles(env);
}
