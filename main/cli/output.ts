import type { Finding, Remedy, Severity } from '../contract.ts';
import { EXIT } from '../system/errors.ts';

/** Exit code for a result's worst severity (0 ok, 1 warnings, 2 critical). */
export function exitFor(severity: Severity): number {
  return severity === 'critical' ? EXIT.critical : severity === 'warn' ? EXIT.warn : EXIT.ok;
}

/** The output contract: one JSON document with --json, else the human text. */
export function print(write: (text: string) => void, json: boolean, report: object, human: () => string): void {
  write(json ? `${JSON.stringify(report, null, 2)}\n` : human());
}

let colour = false;

/** Colour only on a terminal and unless NO_COLOR is set; decided once by cli.ts from its environment. */
export function setColour(enabled: boolean): void {
  colour = enabled;
}

const paint = (code: string, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);

export const MARK: Record<Severity, string> = { ok: 'ok', warn: 'WARN', critical: 'CRIT' };
export function badge(severity: Severity): string {
  const text = MARK[severity].padEnd(4);
  return severity === 'critical' ? paint('31;1', text) : severity === 'warn' ? paint('33;1', text) : paint('32', text);
}

export const heading = (text: string) => paint('1', text);

/**
 * A diagnosis's fix in words and its remedy's command, as every face shows
 * them: the words are left out only when they say nothing but the command.
 */
export function fixLines(item: { fix: string | null; remedy?: Remedy | null }): string[] {
  const command = item.remedy?.command ?? null;
  return [...(item.fix && item.fix !== command ? [`fix: ${item.fix}`] : []), ...(command ? [`run: ${command}`] : [])];
}

/** Findings as an indented list, each with its fix. */
export function formatFindings(findings: Finding[]): string[] {
  if (findings.length === 0) return ['  ok    nothing to report'];
  return findings.flatMap((f) => [
    `  ${badge(f.severity)}  ${f.title}`,
    ...(f.detail ? [`        ${f.detail}`] : []),
    ...fixLines(f).map((line) => `        ${line}`),
  ]);
}

/** Left-aligned columns; long cells are cut so one row stays on one line. */
export function table(rows: string[][], maxWidth = 90): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.min(Math.max(widths[i] ?? 0, cell.length), maxWidth); });
  return rows.map((row) => '  ' + row.map((cell, i) => {
    const cut = cell.length > maxWidth ? `${cell.slice(0, maxWidth - 1)}…` : cell;
    return i === row.length - 1 ? cut : cut.padEnd(widths[i]!);
  }).join('  '));
}
