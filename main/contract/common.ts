import { z } from 'zod';

/** Severity and findings: the shared vocabulary of every report. */

export const Severity = z.enum(['ok', 'warn', 'critical']);
export type Severity = z.infer<typeof Severity>;

export const Finding = z.object({
  id: z.string(),
  severity: Severity,
  title: z.string(),
  detail: z.string().optional(),
  fix: z.string().nullable(),
});
export type Finding = z.infer<typeof Finding>;

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warn: 1, ok: 2 };

/** Worst first, keeping the given order within a severity. */
export function sortBySeverity<T extends { severity: Severity }>(items: T[]): T[] {
  return items.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
}

/** The worst severity among findings: what the exit code and the tray colour show. */
export function worstSeverity(items: Array<{ severity: Severity }>): Severity {
  if (items.some((item) => item.severity === 'critical')) return 'critical';
  if (items.some((item) => item.severity === 'warn')) return 'warn';
  return 'ok';
}
