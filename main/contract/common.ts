import { z } from 'zod';
import { Remedy } from './remedy.ts';

/** Severity and findings: the shared vocabulary of every report. */

export const Severity = z.enum(['ok', 'warn', 'critical']);
export type Severity = z.infer<typeof Severity>;

export const Finding = z.object({
  id: z.string(),
  severity: Severity,
  title: z.string(),
  detail: z.string().optional(),
  /** The fix in words, as an operator would read it in a ticket. */
  fix: z.string().nullable(),
  /** The same fix as data (fix kind and request, view, command): what every face shows and links to. */
  remedy: Remedy.nullable().optional(),
  /** When the event a finding stands for happened (the comparison after an upgrade): one notice per event. Absent for findings about a state. */
  at: z.string().optional(),
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
