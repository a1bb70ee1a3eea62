import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DiagnosticsReport } from '../../../main/contract.ts';
import { parseOsRelease, parseSwVers } from '../../../main/glance/node-facts.ts';
import { buildDiagnosticsReport } from '../../../main/report/report.ts';
import { reportMarkdown, tlsSummary } from '../../../main/report/report-markdown.ts';
import { loadServiceEnvironment, type ServiceEnvironment } from '../../../main/service/environment.ts';
import { execCommand } from '../../../main/system/exec.ts';
import { makeHome, writeService } from '../../helpers/world.ts';
import { lastProbe, result, status } from './samples.ts';

const node = { hostname: 'mini-hk-1', platform: 'darwin', osName: 'macOS', osVersion: '15.1', osBuild: '24B83', kernel: 'Darwin 24.1.0', arch: 'arm64', uptimeSec: 3 * 86_400 + 7_200, timezone: 'Asia/Hong_Kong (UTC+0800)', user: 'ops', clawbarVersion: '0.1.0', nodeVersion: 'v24.21.0' };
const API_KEY = 'sk-ant-api03-SEEDEDsecretVALUEforREPORT1';

describe('diagnostics report', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let service: ServiceEnvironment;
  before(async () => {
    ({ home, cleanup } = await makeHome());
    const svc = await writeService(home, { env: { HOME: home, ANTHROPIC_API_KEY: API_KEY } });
    await writeFile(join(svc.stateDir, 'openclaw.json'), '{}');
    service = await loadServiceEnvironment({ plistPath: svc.plistPath, home, shellEnv: { HOME: home, PATH: '/usr/bin:/bin' }, exec: execCommand, systemRoot: '', platform: process.platform });
  });
  after(() => cleanup());

  it('says so when no probe has run; merges findings worst first; valid against the schema', () => {
    const report = buildDiagnosticsReport({ service: service.facts, status: status(), lastProbe: null, fixHistory: [], node });
    assert.equal(DiagnosticsReport.parse(report).lastProbe, null);
    const md = reportMarkdown(report);
    assert.match(md, /No probe run is recorded on this node yet: run `clawbar probe`/);
    assert.match(md, /\| OS \| macOS 15\.1 \(24B83\); Darwin 24\.1\.0; arm64 \|/);
    assert.match(md, /\| uptime \| 3 d 2 h \|/);
    assert.match(md, /\| ANTHROPIC_API_KEY \| \[redacted\] \| file \|/);
    assert.match(md, /No fixes applied by clawbar/);
    assert.ok(!md.includes(API_KEY) && !JSON.stringify(report).includes(API_KEY));
  });

  it('shows the last run per target with layer, phases and TLS, and fix history', () => {
    const run = lastProbe([
      result('https://api.corp.test/', { name: 'model inference' }),
      result('https://hooks.corp.test/', { ok: false, layer: 'tls-trust', error: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate' }, explanation: 'a TLS-inspecting proxy', fix: 'clawbar fix ca --cert <CA file>' }),
    ]);
    run.report.results[1]!.tls = { ...run.report.results[1]!.tls!, authorized: false, authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' };
    const fixHistory = [{ id: '20261121-100000-ca', kind: 'ca' as const, createdAt: '2026-11-21T10:00:00.000Z', state: 'verified' as const, plistPath: null, files: [], summary: 'gateway-only CA bundle' }];
    const report = buildDiagnosticsReport({ service: service.facts, status: status(), lastProbe: run, fixHistory, node });
    assert.equal(report.overall, 'critical');
    assert.equal(report.findings[0]!.id, 'probe.tls-trust');
    const md = reportMarkdown(report);
    assert.match(md, /\| model inference \(https:\/\/api\.corp\.test\/\) \| ok 200 \| direct \| 2\.1 \| 0\.4 \| — \| 6\.2 \| 3\.3 \| 12 \| TLSv1\.3, issuer Corp Inspection CA, expires in 29 d, verified \|/);
    assert.match(md, /\*\*tls-trust\*\* UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    assert.match(md, /Fix: `clawbar fix ca --cert <CA file>`/);
    assert.match(md, /\| 20261121-100000-ca \| ca \| verified \|/);
    assert.match(md, /- new python3 \*:8080, for 2 h/);
    assert.equal(tlsSummary(run.report.results[1]!), 'TLSv1.3, issuer Corp Inspection CA, expires in 29 d, not verified: UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('reads sw_vers and os-release', () => {
    assert.deepEqual(parseSwVers('ProductName:\t\tmacOS\nProductVersion:\t\t15.1\nBuildVersion:\t\t24B83\n'), { name: 'macOS', version: '15.1', build: '24B83' });
    assert.deepEqual(parseSwVers('garbage'), { name: null, version: null, build: null });
    assert.equal(parseOsRelease('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), 'Debian GNU/Linux 12 (bookworm)');
    assert.equal(parseOsRelease('ID=alpine\n'), null);
  });
});
