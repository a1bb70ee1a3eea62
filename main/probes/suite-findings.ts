import type { Finding, ProbeResult } from '../contract.ts';

const EXPIRY_WARN_DAYS = 14;

/** What one probe run means as findings: failures, expiring certificates, family splits, resolver disagreement. */
export function suiteFindings(results: ProbeResult[], runtimeNote: string | null): Finding[] {
  const findings: Finding[] = [];
  for (const r of results) {
    if (!r.ok) findings.push({ id: `probe.${r.layer}`, severity: 'critical', title: `${r.name ?? r.target}: ${r.layer} — ${r.error?.message ?? 'failed'}`, detail: r.explanation ?? undefined, fix: r.fix });
    else if (r.tls?.daysToExpiry !== null && r.tls?.daysToExpiry !== undefined && r.tls.daysToExpiry < EXPIRY_WARN_DAYS) {
      findings.push({ id: 'probe.cert-expiring', severity: 'warn', title: `${r.target}: certificate expires in ${r.tls.daysToExpiry} days`, fix: 'Tell the owner of the endpoint (see the allowlist rotation contact)' });
    }
    const split = r.notes.find((n) => /path broken/.test(n));
    if (r.ok && split) findings.push({ id: 'probe.family-split', severity: 'warn', title: `${r.target}: ${split}`, detail: 'Clients that prefer the broken family (Happy Eyeballs) may stall or fail intermittently.', fix: 'Compare curl -4 and curl -6; fix the broken path or its allow-list entry' });
    if (r.dns?.disagreement) findings.push({ id: 'probe.dns-disagreement', severity: 'warn', title: `${r.target}: ${r.dns.disagreement}`, fix: 'Compare scutil --dns with the resolvers you expect; flush the DNS cache' });
  }
  if (runtimeNote) findings.push({ id: 'probe.runtime', severity: 'warn', title: runtimeNote, fix: null });
  return findings;
}
