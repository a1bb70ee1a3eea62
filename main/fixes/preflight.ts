import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ProbeReport, ProbeSummary } from '../contract.ts';
import { runProbeSuite } from '../probes/suite.ts';
import type { ManagedProxy } from '../probes/route.ts';
import type { FixContext, FixDraft } from './types.ts';

export function summarizeProbes(report: ProbeReport): ProbeSummary {
  return {
    ok: report.summary.ok,
    failed: report.summary.failed,
    targets: report.results.map((r) => ({ target: r.target, ok: r.ok, layer: r.layer })),
  };
}

/** Runs the suite in a child under `env`; the fix decides whether a run is kept (only verification's is). */
export function probeUnder(context: FixContext, env: Record<string, string>, managedProxy: ManagedProxy | null): Promise<ProbeReport> {
  return runProbeSuite({
    source: 'daemon',
    service: { ...context.service, env, managedProxy },
    targets: context.targets,
    dnsServers: context.dnsServers,
    timeoutMs: context.timeoutMs,
    exec: context.exec,
    shellEnv: context.env,
  });
}

export interface Preflight {
  before: ProbeSummary;
  after: ProbeSummary;
  worse: boolean;
  verdict: string;
}

/**
 * Probes under the current environment and under the candidate one. Files the
 * candidate points at that do not exist yet (the new CA bundle) are written to
 * a private temp folder first and the candidate is pointed there, so nothing
 * the service reads is touched before the operator says apply.
 */
export async function preflight(context: FixContext, draft: FixDraft): Promise<Preflight> {
  const candidate = draft.candidate!;
  const staging = await mkdtemp(join(tmpdir(), 'clawbar-preflight-'));
  try {
    const env = { ...candidate.env };
    for (const [index, write] of [...draft.writes, ...draft.preflightFiles].entries()) {
      if (!Object.values(env).some((value) => value.includes(write.path))) continue;
      const staged = join(staging, `${index}-${basename(write.path)}`);
      await writeFile(staged, write.content, { mode: 0o600 });
      for (const [name, value] of Object.entries(env)) env[name] = value.split(write.path).join(staged);
    }
    const [now, next] = await Promise.all([
      probeUnder(context, context.service.env, context.service.managedProxy),
      probeUnder(context, env, candidate.managedProxy),
    ]);
    const before = summarizeProbes(now);
    const after = summarizeProbes(next);
    const broken = after.targets.filter((t) => !t.ok && before.targets.find((b) => b.target === t.target)?.ok);
    const mended = after.targets.filter((t) => t.ok && before.targets.find((b) => b.target === t.target)?.ok === false);
    const worse = broken.length > 0;
    const verdict = worse
      ? `worse: ${broken.map((t) => `${t.target} would fail (${t.layer})`).join('; ')}`
      : mended.length > 0 ? `better: ${mended.length} of ${before.failed} failing target(s) pass with the change`
      : before.failed === 0 ? 'no change: every target already passes' : `no better: ${after.failed} target(s) still fail`;
    return { before, after, worse, verdict };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
