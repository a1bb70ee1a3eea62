import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticsReport, type Finding, type ProbeReport, type ProbeResult, type Remedy } from '../../../main/contract.ts';
import type { AgentState } from '../../../main/ipc-contract.ts';
import { formatFindings } from '../../../main/cli/output.ts';
import { formatProbe } from '../../../main/cli/probe-command.ts';
import { healthFindings } from '../../../main/glance/health-findings.ts';
import { classifyFailure } from '../../../main/probes/classify.ts';
import { ProbeFailure, type Phase } from '../../../main/probes/state.ts';
import { suiteFindings } from '../../../main/probes/suite-findings.ts';
import { reportMarkdown } from '../../../main/report/report-markdown.ts';
import { buildFindings } from '../../../main/service/findings.ts';
import { Settings } from '../../../main/settings-schema.ts';
import { remedyDisplay } from '../../../renderer/views/remedy.ts';
import { wizardChecks } from '../../../renderer/views/wizard-checks.ts';
import { lastProbe, result, status } from '../report/samples.ts';
import { findingInput } from '../service/samples.ts';

/**
 * One remedy per diagnosis, shown the same way by every face: the CLI
 * (`clawbar probe`, `clawbar status`/`env` findings), the Markdown report and
 * the popover. Each diagnosis comes from the engine code that makes it; each
 * face's output is read back to the fix words and the command it shows.
 */

interface Shown { fix: string | null; command: string | null }

const API = 'https://api.corp.test/';
const probeResult = (target: string, phase: Phase, code: string, via: 'direct' | 'proxy', status: number | null = null): ProbeResult => {
  const route = via === 'proxy' ? { proxy: 'http://proxy.corp:3128', rule: 'https_proxy' } : { proxy: null, rule: 'no https_proxy/HTTPS_PROXY or http_proxy/HTTP_PROXY set' };
  const base = result(target, { via, route });
  const verdict = classifyFailure(new ProbeFailure(phase, code, `${phase} failed (${code})`, status), base, { url: target, kind: 'allowlist', name: null, sni: null, pin: null });
  return { ...base, ...verdict, error: { code, message: `${phase} failed (${code})` }, http: null };
};

const PROBES: Array<{ name: string; result: ProbeResult; command: string | null; fixShown: boolean }> = [
  { name: 'tls-trust: trust the CA', result: probeResult(API, 'tls', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'direct'), command: 'clawbar fix ca --cert <CA file>', fixShown: true },
  { name: 'proxy-auth: give the proxy its credentials', result: probeResult('https://hooks.corp.test/', 'proxy', 'PROXY_AUTH', 'proxy', 407), command: 'clawbar fix proxy --url <proxy URL>', fixShown: true },
  { name: 'tls-clock: set the clock', result: probeResult('https://clock.corp.test/', 'tls', 'CERT_NOT_YET_VALID', 'direct'), command: 'clawbar fix clock', fixShown: true },
  { name: 'timeout through the proxy: a firewall ticket', result: probeResult('https://blocked.corp.test/', 'connect', 'ETIMEDOUT', 'proxy'), command: 'clawbar report --allowlist', fixShown: true },
  { name: 'dns: nothing to run, the probe view explains', result: probeResult('https://nope.corp.test/', 'dns', 'ENOTFOUND', 'direct'), command: null, fixShown: true },
];

const service = (id: string, change: (input: ReturnType<typeof findingInput>) => void): Finding => {
  const input = findingInput();
  change(input);
  return buildFindings(input).find((f) => f.id === id)!;
};
const FINDINGS: Array<{ name: string; finding: Finding; command: string | null; fixShown: boolean }> = [
  { name: 'bind.not-loopback: the words are only the command', finding: service('bind.not-loopback', (i) => { i.gateway = { ...i.gateway, bind: 'lan' }; }), command: 'clawbar fix bind', fixShown: false },
  { name: 'proxy.no-loopback-bypass: the words are only the command', finding: service('proxy.no-loopback-bypass', (i) => { i.effective = { https_proxy: 'http://proxy.corp:3128', no_proxy: 'localhost' }; }), command: 'clawbar fix proxy --url <proxy URL> --no-proxy localhost,127.0.0.1,::1', fixShown: false },
  { name: 'ca.extra-certs-missing: a CA for the gateway only', finding: service('ca.extra-certs-missing', (i) => { i.effective = { NODE_EXTRA_CA_CERTS: '/nonexistent/corp-ca.pem' }; }), command: 'clawbar fix ca --cert <CA file> --scope gateway', fixShown: true },
  { name: 'envfile.bad-header: reinstall, read in the environment view', finding: service('envfile.bad-header', (i) => { i.envFile = { ...i.envFile!, result: { ...i.envFile!.result!, headerOk: false, header: '#!/bin/sh' } }; }), command: 'openclaw gateway install --force', fixShown: true },
  {
    name: 'gateway.down: restart the job',
    finding: healthFindings({ state: 'down', url: 'http://127.0.0.1:18789/health', latencyMs: null, p95Ms: null, failing: [], status: null, error: 'ECONNREFUSED', version: null, uptimeMs: null, consecutiveFailures: 2 }, Settings.parse({}))[0]!,
    command: 'launchctl kickstart -k gui/$(id -u)/ai.openclaw.gateway', fixShown: true,
  },
  { name: 'a finding kept from before remedies: words only', finding: { id: 'listeners.wildcard', severity: 'warn', title: 'python3 (pid 77) listens on every interface, port 8080', fix: 'Bind it to 127.0.0.1' }, command: null, fixShown: true },
];

/** The text inside a Markdown code span, whichever fence `code()` chose. */
const uncode = (span: string) => span.replace(/^`` (.*) ``$/, '$1').replace(/^`(.*)`$/, '$1');

function cliFinding(finding: Finding): Shown {
  const lines = formatFindings([finding]).map((line) => line.trim());
  return { fix: lines.find((l) => l.startsWith('fix: '))?.slice(5) ?? null, command: lines.find((l) => l.startsWith('run: '))?.slice(5) ?? null };
}

function cliProbe(report: ProbeReport, target: string): Shown {
  const lines = formatProbe(report).split('\n');
  const start = lines.findIndex((l) => l.includes(`  ${target}  [`));
  const block: string[] = [];
  for (const line of lines.slice(start + 1)) { if (!line.startsWith('        ')) break; block.push(line.trim()); }
  return { fix: block.find((l) => l.startsWith('fix: '))?.slice(5) ?? null, command: block.find((l) => l.startsWith('run: '))?.slice(5) ?? null };
}

function markdownFinding(md: string, finding: Finding): Shown {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith('- **') && l.includes(` ${finding.title}`));
  assert.ok(start >= 0, `the report lists ${finding.id}`);
  const block: string[] = [];
  for (const line of lines.slice(start + 1)) { if (!line.startsWith('  ')) break; block.push(line.trim()); }
  return { fix: block.find((l) => l.startsWith('Fix: ')) ? uncode(block.find((l) => l.startsWith('Fix: '))!.slice(5)) : null, command: block.find((l) => l.startsWith('Run: ')) ? uncode(block.find((l) => l.startsWith('Run: '))!.slice(5)) : null };
}

function markdownProbe(md: string, target: string): Shown {
  const line = md.split('\n').find((l) => l.startsWith(`- **${target}** failed`));
  assert.ok(line, `the report explains ${target}`);
  const fix = / Fix: (``? .*? ``?|`[^`]*`)(?= Run: |$)/.exec(line)?.[1];
  const command = / Run: (``? .*? ``?|`[^`]*`)$/.exec(line)?.[1];
  return { fix: fix ? uncode(fix) : null, command: command ? uncode(command) : null };
}

const popover = (item: { fix: string | null; remedy?: Remedy | null }, here: 'probes' | 'overview'): Shown => {
  const { fixText, command } = remedyDisplay(item, here);
  return { fix: fixText, command };
};

function probeReport(results: ProbeResult[]): ProbeReport {
  const run = lastProbe(results).report;
  return { ...run, findings: suiteFindings(results, null) };
}

function diagnostics(findings: Finding[], probe: ProbeReport): DiagnosticsReport {
  const s = status();
  return DiagnosticsReport.parse({
    schema: 'clawbar.report/1', generatedAt: '2026-11-21T10:05:00.000Z', overall: 'critical',
    node: { hostname: 'mini-hk-1', platform: 'darwin', osName: 'macOS', osVersion: '15.1', osBuild: '24B83', kernel: 'Darwin 24.1.0', arch: 'arm64', uptimeSec: 3_600, timezone: 'UTC', user: 'ops', clawbarVersion: '0.1.0', nodeVersion: 'v24.21.0' },
    service: null, launchd: findingInput().launchd, gatewayConfig: findingInput().gateway, environment: { variables: [], redactedKeys: [], shellDiff: [] },
    gateway: s.gateway, listeners: s.listeners, clock: s.clock, lastProbe: probe, findings, fixHistory: [],
  });
}

describe('one remedy per diagnosis, shown identically by the CLI, the report and the popover', () => {
  const report = probeReport(PROBES.map((p) => p.result));
  // Through the contract's own parse, as the report file and IPC carry it: the remedy must survive it.
  const md = reportMarkdown(diagnostics([...FINDINGS.map((f) => f.finding), ...report.findings], report));

  for (const row of PROBES) {
    it(`probe ${row.name}`, () => {
      const r = row.result;
      assert.equal(r.remedy?.command ?? null, row.command, 'the diagnosis chose this command');
      const expected: Shown = { fix: row.fixShown ? r.fix : null, command: row.command };
      assert.deepEqual(cliProbe(report, r.target), expected, 'clawbar probe');
      assert.deepEqual(markdownProbe(md, r.target), expected, 'report: last probe run');
      assert.deepEqual(popover(r, 'probes'), expected, 'popover: probe details');
      // The probe-run finding carries the same remedy, so the findings list agrees too.
      const finding = report.findings.find((f) => f.title.startsWith(`${r.target}:`))!;
      assert.deepEqual(finding.remedy, r.remedy);
      assert.deepEqual(cliFinding(finding), expected, 'clawbar findings');
      assert.deepEqual(markdownFinding(md, finding), expected, 'report: findings');
      assert.deepEqual(popover(finding, 'overview'), expected, 'popover: overview findings');
    });
  }

  for (const row of FINDINGS) {
    it(`finding ${row.name}`, () => {
      const f = row.finding;
      assert.equal(f.remedy?.command ?? null, row.command, 'the diagnosis chose this command');
      const expected: Shown = { fix: row.fixShown ? f.fix : null, command: row.command };
      assert.deepEqual(cliFinding(f), expected, 'clawbar findings');
      assert.deepEqual(markdownFinding(md, f), expected, 'report: findings');
      assert.deepEqual(popover(f, 'overview'), expected, 'popover: overview findings');
    });
  }

  it('the popover opens the fix the diagnosis chose, with its request, and the wizard offers the same', () => {
    const trust = PROBES[0]!.result;
    assert.deepEqual(remedyDisplay(trust, 'probes').action, { label: 'Trust the CA', view: 'fixes', preset: { kind: 'ca', request: {}, needs: ['cert'] } });
    const bypass = FINDINGS[1]!.finding;
    assert.deepEqual(remedyDisplay(bypass, 'overview').action, { label: 'Set the proxy', view: 'fixes', preset: { kind: 'proxy', request: { noProxy: 'localhost,127.0.0.1,::1' }, needs: ['url'] } });
    assert.deepEqual(remedyDisplay(FINDINGS[3]!.finding, 'overview').action, { label: 'Open', view: 'environment' });
    assert.equal(remedyDisplay(PROBES[4]!.result, 'probes').action, null, 'no button back to the view already shown');
    assert.equal(remedyDisplay(FINDINGS[5]!.finding, 'overview').action, null, 'no remedy, no button');

    const state = { lastProbe: { ...report, results: [PROBES[4]!.result, PROBES[2]!.result, trust] }, findings: [] } as unknown as AgentState;
    const egress = wizardChecks(state).find((c) => c.id === 'egress')!;
    assert.deepEqual(egress.fix, { label: 'Sync the clock', view: 'fixes', preset: { kind: 'clock', request: {}, needs: [] } }, 'the first failure with a fix: tls-clock, which the wizard used to forget');
  });
});
