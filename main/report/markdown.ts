/** Small Markdown helpers shared by the report and the firewall-ticket export. */

/** A table cell: pipes escaped and line breaks flattened, so one value cannot break the table. */
export function cell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  return String(value).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Inline code that survives backticks inside the value. */
export function code(value: string): string {
  const fence = value.includes('`') ? '``' : '`';
  return `${fence}${fence === '``' ? ` ${value} ` : value}${fence}`;
}

export function mdTable(header: string[], rows: Array<Array<string | number | boolean | null | undefined>>): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}

/** Milliseconds as a table shows them: one decimal under 10 ms, whole numbers above, a dash for a phase that did not happen. */
export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value < 10 ? value.toFixed(1) : String(Math.round(value));
}

export function duration(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  return d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : `${m} min`;
}
