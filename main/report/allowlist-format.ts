import type { AllowlistExport, AllowlistExportRow } from '../contract.ts';
import { mdTable } from './markdown.ts';
import { observedSection } from './daemon-world-markdown.ts';

const yesNo = (value: boolean | null) => (value === null ? 'unknown' : value ? 'yes' : 'no');

function lastResultText(row: AllowlistExportRow): string {
  const r = row.lastResult;
  if (!r) return 'not probed';
  return r.ok ? `ok${r.status !== null ? ` ${r.status}` : ''}, ${r.totalMs} ms, ${r.via}` : `FAILED ${r.layer}${r.errorCode ? ` ${r.errorCode}` : ''}, ${r.via}`;
}

/** The firewall ticket in Markdown: the standard rows, then one command block per row. */
export function allowlistMarkdown(doc: AllowlistExport, hostname: string): string {
  const out = [
    `# Egress allowlist: ${hostname}`,
    '',
    `Generated ${doc.generatedAt}. Last probe run: ${doc.lastProbeAt ?? 'none'}.`,
    '',
    ...mdTable(['#', 'DNS name', 'port', 'TLS', 'expected SNI', 'owning team', 'rotation contact', 'PII', 'purpose', 'source', 'last result'],
      doc.rows.map((r, i) => [i + 1, r.host, r.port, r.tls ? 'TLS' : 'plaintext', r.tls ? r.sni : '', r.owner, r.rotationContact, yesNo(r.pii), r.purpose, r.source, lastResultText(r)])),
    '',
    '## Probe commands',
  ];
  doc.rows.forEach((r, i) => out.push('', `${i + 1}. ${r.host}:${r.port} (${lastResultText(r)})`, '', '```sh', r.command, '```'));
  out.push('', '## Observed egress', '', ...observedSection(doc.observed));
  if (doc.notes.length) out.push('', '## Notes', '', ...doc.notes.map((n) => `- ${n}`));
  return `${out.join('\n')}\n`;
}

/** RFC 4180: quote every field that holds a comma, quote or line break; CRLF between records. */
export function csvField(value: string | number | boolean | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function allowlistCsv(doc: AllowlistExport): string {
  const header = ['dns_name', 'port', 'tls', 'expected_sni', 'owning_team', 'rotation_contact', 'pii', 'purpose', 'source', 'last_result', 'last_checked', 'probe_command'];
  const rows = doc.rows.map((r) => [r.host, r.port, r.tls ? 'yes' : 'no', r.tls ? r.sni : '', r.owner, r.rotationContact, yesNo(r.pii), r.purpose, r.source, lastResultText(r), r.lastResult?.at ?? '', r.command]);
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
