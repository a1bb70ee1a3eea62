import { z } from 'zod';
import { Finding } from './common.ts';
import { Layer } from './probe.ts';
import { FixKind } from './remedy.ts';

/** Guided fixes: plan, steps, outcome and rollback bundles. */

/** The transaction's steps, in order; `rollback` replaces write/restart when undoing. */
export const FixStepName = z.enum(['plan', 'preview', 'preflight', 'backup', 'write', 'restart', 'verify', 'rollback', 'report']);
export type FixStepName = z.infer<typeof FixStepName>;

/** One progress event (CLI stderr, app IPC stream) and one audit-log line. */
export const FixStep = z.object({
  step: FixStepName,
  status: z.enum(['running', 'ok', 'failed', 'skipped']),
  detail: z.string(),
  at: z.string(),
});
export type FixStep = z.infer<typeof FixStep>;

export const FileRole = z.enum(['env-file', 'plist', 'ca-bundle', 'config']);

/** A file the fix writes, with its unified diff (secrets redacted). */
export const FileChange = z.object({
  path: z.string(),
  role: FileRole,
  existed: z.boolean(),
  modeBefore: z.number().nullable(),
  modeAfter: z.number(),
  sha256Before: z.string().nullable(),
  sha256After: z.string(),
  diff: z.string(),
});
export type FileChange = z.infer<typeof FileChange>;

/** Probe outcome per target, compact enough to compare before/after. */
export const ProbeSummary = z.object({
  ok: z.number(),
  failed: z.number(),
  targets: z.array(z.object({ target: z.string(), ok: z.boolean(), layer: Layer.nullable() })),
});
export type ProbeSummary = z.infer<typeof ProbeSummary>;

export const FixPlan = z.object({
  kind: FixKind,
  /** Hash of the files as they are now and as they will be: `--apply --plan ID` refuses if it changed. */
  planId: z.string(),
  title: z.string(),
  /** Plain-words explanation shown above the diff (e.g. gateway-only bundle vs System keychain). */
  explanation: z.array(z.string()),
  files: z.array(FileChange),
  /** Commands that will run, in order, as the operator would type them. */
  commands: z.array(z.string()),
  needsAdmin: z.boolean(),
  notes: z.array(z.string()),
});
export type FixPlan = z.infer<typeof FixPlan>;

export const FixOutcome = z.object({
  schema: z.literal('clawbar.fix/1'),
  kind: FixKind,
  mode: z.enum(['dry-run', 'apply', 'rollback']),
  ok: z.boolean(),
  summary: z.string(),
  plan: FixPlan.nullable(),
  preflight: z.object({ before: ProbeSummary, after: ProbeSummary, worse: z.boolean(), verdict: z.string() }).nullable(),
  bundleId: z.string().nullable(),
  verify: z.object({ ok: z.boolean(), detail: z.string(), probes: ProbeSummary.nullable() }).nullable(),
  steps: z.array(FixStep),
  findings: z.array(Finding),
});
export type FixOutcome = z.infer<typeof FixOutcome>;

/** A rollback bundle as `fix history` lists it. */
export const FixBundleSummary = z.object({
  id: z.string(),
  kind: FixKind,
  createdAt: z.string(),
  state: z.enum(['prepared', 'applied', 'verified', 'failed', 'rolled-back']),
  plistPath: z.string().nullable(),
  files: z.array(z.object({ path: z.string(), role: FileRole, existed: z.boolean() })),
  summary: z.string(),
});
export type FixBundleSummary = z.infer<typeof FixBundleSummary>;
