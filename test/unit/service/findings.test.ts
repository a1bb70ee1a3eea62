import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Finding } from '../../../main/contract.ts';
import { buildFindings, noProxyCoversLoopback, type FindingInput } from '../../../main/service/findings.ts';
import { OPENCLAW_WRAPPER_TEXT } from '../../../main/service/layout.ts';
import { ENV_FILE_PATH, envFile, envResult, findingInput as base, job } from './samples.ts';

// Remedies as the faces receive them, written out in full.
const env = (command: string | null = null) => ({ fix: null, view: 'environment', command });
const REINSTALL = env('openclaw gateway install --force');
const BIND = { fix: { kind: 'bind', request: {}, needs: [] }, view: 'fixes', command: 'clawbar fix bind' };
const PROXY = { fix: { kind: 'proxy', request: {}, needs: ['url'] }, view: 'fixes', command: 'clawbar fix proxy --url <proxy URL>' };
const PROXY_BYPASS = { fix: { kind: 'proxy', request: { noProxy: 'localhost,127.0.0.1,::1' }, needs: ['url'] }, view: 'fixes', command: 'clawbar fix proxy --url <proxy URL> --no-proxy localhost,127.0.0.1,::1' };
const CA = { fix: { kind: 'ca', request: {}, needs: ['cert'] }, view: 'fixes', command: 'clawbar fix ca --cert <CA file>' };
const CA_GATEWAY = { fix: { kind: 'ca', request: { scope: 'gateway' }, needs: ['cert'] }, view: 'fixes', command: 'clawbar fix ca --cert <CA file> --scope gateway' };

type Change = (input: FindingInput) => void;
interface Row { name: string; change: Change; expect: Array<[id: string, severity: Finding['severity'], remedy: object]> }

const ROWS: Row[] = [
  { name: 'a healthy service', change: () => undefined, expect: [] },
  { name: 'no service found', change: (i) => { i.job = null; i.layout = null; i.envFile = null; i.effective = { HTTPS_PROXY: 'http://p:3128' }; }, expect: [['service.not-found', 'warn', env('openclaw gateway install')]] },
  { name: 'a plist launchd rejects', change: (i) => { i.job = job({ problems: ['KeepAlive is a string'] }); }, expect: [['plist.invalid', 'critical', REINSTALL]] },
  { name: 'secrets in a world-readable plist', change: (i) => { i.inline = { OPENAI_API_KEY: 'sk-test-0123456789abcdefghijklmnop' }; }, expect: [['plist.secrets-readable', 'critical', REINSTALL]] },
  { name: 'secrets in a plist only its owner reads', change: (i) => { i.inline = { OPENAI_API_KEY: 'sk-test-0123456789abcdefghijklmnop' }; i.plistMode = 0o600; }, expect: [] },
  { name: 'the wrapper is gone', change: (i) => { i.wrapperText = new Error('ENOENT: no such file'); }, expect: [['wrapper.missing', 'critical', REINSTALL]] },
  { name: 'the wrapper was edited', change: (i) => { i.wrapperText = `${OPENCLAW_WRAPPER_TEXT}\necho hi\n`; }, expect: [['wrapper.modified', 'warn', REINSTALL]] },
  { name: "the daemon's node is gone", change: (i) => { i.nodeExists = false; }, expect: [['node.missing', 'critical', REINSTALL]] },
  { name: 'the wrapper gets no env file', change: (i) => { i.envFile = null; }, expect: [['envfile.missing-argument', 'critical', REINSTALL]] },
  { name: 'an env file clawbar may not read', change: (i) => { i.envFile = envFile({ readable: false, readError: 'EACCES: permission denied', result: null }); }, expect: [['envfile.unreadable', 'warn', env()]] },
  { name: 'an env file that is not there', change: (i) => { i.envFile = envFile({ readable: false, readError: 'ENOENT: no such file or directory', result: null }); }, expect: [['envfile.missing', 'critical', REINSTALL]] },
  { name: 'an env file with the wrong header', change: (i) => { i.envFile = envFile({ result: envResult({ header: '#!/bin/sh', headerOk: false }) }); }, expect: [['envfile.bad-header', 'critical', REINSTALL]] },
  {
    name: 'an env file with a broken line and an unsupported one',
    change: (i) => { i.envFile = envFile({ result: envResult({ issues: [{ line: 3, severity: 'warn', message: 'uses $(date)' }, { line: 5, severity: 'critical', message: 'syntax error' }] }) }); },
    expect: [['envfile.broken', 'critical', REINSTALL], ['envfile.unsupported', 'warn', env()]],
  },
  {
    name: 'an env file with secrets that others can read',
    change: (i) => { i.envFile = envFile({ mode: 0o644, result: envResult({ assigned: new Map([['OPENAI_API_KEY', { name: 'OPENAI_API_KEY', value: 'sk-test-0123456789abcdefghijklmnop', line: 2 }]]) }) }); },
    expect: [['envfile.secrets-readable', 'critical', env(`chmod 600 '${ENV_FILE_PATH}'`)]],
  },
  { name: 'a config OpenClaw would reject', change: (i) => { i.config = { ...i.config, error: 'openclaw.json: gateway.port must be a number' }; }, expect: [['config.invalid', 'critical', env('openclaw doctor')]] },
  { name: 'bound to the LAN with a token', change: (i) => { i.gateway = { ...i.gateway, bind: 'lan' }; }, expect: [['bind.not-loopback', 'warn', BIND]] },
  {
    name: 'bound to the LAN with no authentication',
    change: (i) => { i.gateway = { ...i.gateway, bind: 'lan', authMode: 'none' }; },
    expect: [['bind.not-loopback', 'critical', BIND], ['auth.none', 'critical', env('openclaw config set gateway.auth.mode token')]],
  },
  { name: 'a custom bind on 127.0.0.1 is loopback', change: (i) => { i.gateway = { ...i.gateway, bind: 'custom', customBindHost: '127.0.0.1' }; }, expect: [] },
  { name: 'no authentication on loopback', change: (i) => { i.gateway = { ...i.gateway, authMode: 'none' }; }, expect: [['auth.none', 'warn', env('openclaw config set gateway.auth.mode token')]] },
  { name: 'launchd has not loaded the job', change: (i) => { i.launchd = { ...i.launchd, status: 'not-loaded', running: null, pid: null, lastExitCode: null }; }, expect: [['launchd.not-loaded', 'warn', env('launchctl bootstrap gui/501 <plist>')]] },
  { name: 'the wrapper rejected the env file (exit 78)', change: (i) => { i.launchd = { ...i.launchd, running: false, pid: null, lastExitCode: 78 }; }, expect: [['launchd.last-exit', 'critical', env('openclaw doctor')]] },
  { name: 'files changed since the job started', change: (i) => { i.launchd = { ...i.launchd, drift: [{ what: 'env-file', detail: 'the env file changed after the gateway started' }] }; }, expect: [['launchd.drift', 'warn', env()]] },
  { name: 'proxy variables embedded, loopback bypassed', change: (i) => { i.effective = { ...i.effective, HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'localhost,127.0.0.1,::1' }; }, expect: [['proxy.env-embedded', 'warn', PROXY]] },
  {
    name: 'a proxy that would catch loopback calls',
    change: (i) => { i.effective = { ...i.effective, https_proxy: 'http://proxy.corp:3128', no_proxy: 'localhost' }; },
    expect: [['proxy.env-embedded', 'warn', PROXY], ['proxy.no-loopback-bypass', 'warn', PROXY_BYPASS]],
  },
  { name: 'NODE_EXTRA_CA_CERTS pointing at nothing', change: (i) => { i.effective = { ...i.effective, NODE_EXTRA_CA_CERTS: '/nonexistent/corp-ca.pem' }; }, expect: [['ca.extra-certs-missing', 'critical', CA_GATEWAY]] },
  { name: 'NODE_EXTRA_CA_CERTS as a relative path', change: (i) => { i.effective = { ...i.effective, NODE_EXTRA_CA_CERTS: 'corp-ca.pem' }; }, expect: [['ca.extra-certs-missing', 'critical', CA_GATEWAY]] },
  { name: 'NODE_EXTRA_CA_CERTS pointing at a readable file', change: (i) => { i.effective = { ...i.effective, NODE_EXTRA_CA_CERTS: import.meta.filename }; }, expect: [] },
  { name: 'certificate checks turned off', change: (i) => { i.effective = { ...i.effective, NODE_TLS_REJECT_UNAUTHORIZED: '0' }; }, expect: [['tls.verification-disabled', 'critical', CA]] },
  { name: 'a proxy only the shell has', change: (i) => { i.shellDiff = [{ name: 'HTTPS_PROXY', kind: 'proxy', shell: 'http://proxy.corp:3128', daemon: null }]; }, expect: [['shell.proxy-only-in-shell', 'warn', PROXY]] },
  {
    name: 'several at once come worst first, in the order they were found within a severity',
    change: (i) => { i.wrapperText = 'edited'; i.nodeExists = false; i.gateway = { ...i.gateway, bind: 'lan' }; i.launchd = { ...i.launchd, drift: [{ what: 'plist', detail: 'the plist changed' }] }; },
    expect: [['node.missing', 'critical', REINSTALL], ['wrapper.modified', 'warn', REINSTALL], ['bind.not-loopback', 'warn', BIND], ['launchd.drift', 'warn', env()]],
  },
];

describe('service findings: facts in, finding ids, severities and remedies out', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const input = base();
      row.change(input);
      const findings = buildFindings(input);
      assert.deepEqual(findings.map((f) => [f.id, f.severity, f.remedy]), row.expect);
      for (const f of findings) {
        assert.ok(Finding.safeParse(f).success, `${f.id} is valid against the contract`);
        assert.ok(f.title.length > 0);
        // Where the remedy is a guided fix, the prose names the same command, so a ticket reader sees the same fix.
        if (f.remedy?.fix) assert.ok(f.fix?.includes(`clawbar fix ${f.remedy.fix.kind}`), `${f.id}: ${f.fix}`);
      }
    });
  }
});

describe('NO_PROXY covering loopback (undici rules)', () => {
  const rows: Array<[string | undefined, boolean]> = [
    [undefined, false], ['', false], ['*', true], ['localhost,127.0.0.1,::1', true], ['localhost 127.0.0.1 [::1]', true],
    ['localhost,127.0.0.0/8,::1', true], ['localhost,127.0.0.1', false], ['LOCALHOST,127.0.0.1,::1', true],
  ];
  for (const [value, covers] of rows) it(`${JSON.stringify(value)} → ${covers}`, () => assert.equal(noProxyCoversLoopback(value), covers));
});
