import { viewRemedy, type Finding, type ProbeResult } from '../contract.ts';

const EXPIRY_WARN_DAYS = 14;

/** What one probe run means as findings: failures, expiring certificates, family splits, resolver disagreement. */
export function suiteFindings(results: ProbeResult[], runtimeNote: string | null): Finding[] {
  const findings: Finding[] = [];
  // The probe view explains every one of these; a failure carries the remedy its classification chose.
  const seeProbe = () => viewRemedy('probes');
  for (const r of results) {
    if (!r.ok) findings.push({ id: `probe.${r.layer}`, severity: 'critical', title: `${r.name ?? r.target}: ${r.layer} — ${r.error?.message ?? 'failed'}`, detail: r.explanation ?? undefined, fix: r.fix, remedy: r.remedy ?? seeProbe() });
    else if (r.tls?.daysToExpiry !== null && r.tls?.daysToExpiry !== undefined && r.tls.daysToExpiry < EXPIRY_WARN_DAYS) {
      findings.push({ id: 'probe.cert-expiring', severity: 'warn', title: `${r.target}: certificate expires in ${r.tls.daysToExpiry} days`, fix: 'Tell the owner of the endpoint (see the allowlist rotation contact)', remedy: seeProbe() });
    }
    const split = r.notes.find((n) => /path broken/.test(n));
    if (r.ok && split) findings.push({ id: 'probe.family-split', severity: 'warn', title: `${r.target}: ${split}`, detail: 'Clients that prefer the broken family (Happy Eyeballs) may stall or fail intermittently.', fix: 'Compare curl -4 and curl -6; fix the broken path or its allow-list entry', remedy: seeProbe() });
    if (r.dns?.disagreement) findings.push({ id: 'probe.dns-disagreement', severity: 'warn', title: `${r.target}: ${r.dns.disagreement}`, fix: 'Compare scutil --dns with the resolvers you expect; flush the DNS cache', remedy: seeProbe() });
  }
  if (runtimeNote) findings.push({ id: 'probe.runtime', severity: 'warn', title: runtimeNote, fix: null, remedy: seeProbe() });
  return findings;
}
