import type { ProbeSummary } from '../contract.ts';
import { probeUnder, summarizeProbes } from './preflight.ts';
import type { FixContext, FixDraft } from './types.ts';

/** One GET of the health URL: does the gateway answer 200 right now? */
export async function gatewayAnswers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

const POLL_MS = 500;

/** Polls readiness until the gateway is ready or the time is up (bounded by `timeoutMs`). */
export async function waitForGateway(readyUrl: string, timeoutMs: number): Promise<{ ok: boolean; waitedMs: number }> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await gatewayAnswers(readyUrl, 2_000)) return { ok: true, waitedMs: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return { ok: false, waitedMs: Date.now() - started };
}

/**
 * After the restart: the gateway answers again (when it did before), the
 * targets that failed before do as well as the pre-flight predicted under the
 * service's new environment (read back from disk, as the restarted daemon sees
 * it), and the fix's own
 * check holds (bind: loopback only; clock: offset back within limits).
 */
export async function verifyFix(context: FixContext, draft: FixDraft, facts: { healthyBefore: boolean; restarted: boolean; failedBefore: string[]; predicted: ProbeSummary | null }): Promise<{ ok: boolean; detail: string; probes: ProbeSummary | null }> {
  const details: string[] = [];
  let ok = true;
  const plistPath = context.service.facts.service?.plistPath;
  const service = plistPath ? await context.reloadService(plistPath) : context.service;
  const fresh: FixContext = { ...context, service };
  if (facts.restarted) {
    const ready = await waitForGateway(service.facts.gateway.readyUrl, context.restartTimeoutMs);
    if (ready.ok) details.push(`gateway ready again after ${(ready.waitedMs / 1000).toFixed(1)} s`);
    else if (facts.healthyBefore) { ok = false; details.push(`gateway not ready within ${context.restartTimeoutMs / 1000} s of the restart (see its log)`); }
    else details.push('gateway still not answering (it was not answering before the fix either)');
  }
  let probes: ProbeSummary | null = null;
  if (facts.failedBefore.length > 0) {
    const targets = context.targets.filter((t) => facts.failedBefore.includes(t.url));
    const report = await probeUnder({ ...fresh, targets }, service.env, service.managedProxy);
    await context.keepProbeRun(report, targets);
    probes = summarizeProbes(report);
    // The pre-flight predicted each target under the new environment; the restarted daemon must do at least as well.
    const promised = (target: string) => facts.predicted?.targets.find((t) => t.target === target)?.ok ?? true;
    const broken = probes.targets.filter((t) => !t.ok && promised(t.target));
    const expected = probes.targets.filter((t) => !t.ok && !promised(t.target));
    if (broken.length > 0) { ok = false; details.push(`still failing: ${broken.map((t) => `${t.target} (${t.layer})`).join(', ')}`); }
    if (probes.ok > 0) details.push(`${probes.ok} previously failing target(s) pass`);
    if (expected.length > 0) details.push(`still failing, as the pre-flight said: ${expected.map((t) => `${t.target} (${t.layer})`).join(', ')}`);
  }
  if (draft.extraCheck) {
    const extra = await draft.extraCheck(fresh);
    if (!extra.ok) ok = false;
    details.push(extra.detail);
  }
  return { ok, detail: details.join('; ') || 'nothing to verify', probes };
}
