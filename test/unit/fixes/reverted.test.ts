import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256, type BundleManifest } from '../../../main/fixes/manifest.ts';
import { formatFindings } from '../../../main/cli/output.ts';
import { revertedFindings, type FailingNow, type ServiceNow } from '../../../main/fixes/reverted.ts';
import { INVOKE } from '../../../main/ipc-contract.ts';
import { remedyDisplay } from '../../../renderer/views/remedy.ts';

const PLIST = '/Users/op/Library/LaunchAgents/ai.openclaw.gateway.plist';
const ENV = '/Users/op/.openclaw/service-env/ai.openclaw.gateway.env';
const CONFIG = '/Users/op/.openclaw/openclaw.json';
const CA = '/Users/op/.openclaw/service-env/ai.openclaw.gateway.ca-bundle.pem';
const PROXY = 'http://ops:pw-9931@proxy.corp:3128';
const TARGET = 'https://api.corp.example/';

function bundle(kind: BundleManifest['kind'], over: Partial<BundleManifest> = {}): BundleManifest {
  const common = { schema: 'clawbar.fix-bundle/2' as const, createdAt: '2026-09-01T10:00:00.000Z', state: 'verified' as const, plistPath: PLIST, serviceTarget: 'gui/501/ai.openclaw.gateway', restart: 'kickstart' as const, undo: [], sealed: null };
  const file = (path: string, role: BundleManifest['files'][number]['role'], after: string) => ({ path, role, existed: true, mode: 0o600, uid: 501, gid: 20, sha256Before: sha256('before'), sha256After: sha256(after), modeAfter: 0o600, backup: 'file-0.orig' });
  const byKind: Record<BundleManifest['kind'], Omit<BundleManifest, keyof typeof common>> = {
    ca: {
      id: '20260901-100000-ca-0a0a', kind: 'ca', summary: 'Trust CN=Corp CA for this gateway only', files: [file(CA, 'ca-bundle', 'bundle'), file(ENV, 'env-file', 'env')],
      request: { kind: 'ca', cert: '/tmp/corp.pem', scope: 'gateway' },
      expect: [{ kind: 'env', name: 'NODE_EXTRA_CA_CERTS', sha256: sha256(CA), shown: CA }, { kind: 'ca-bundle', path: CA, fingerprints: ['AA:01'] }],
      fixed: { targets: [TARGET], exposure: false },
    },
    proxy: {
      id: '20260901-100000-proxy-0b0b', kind: 'proxy', summary: 'Send the gateway\'s outbound traffic through http://ops:[redacted]@proxy.corp:3128', files: [file(CONFIG, 'config', 'config')],
      request: { kind: 'proxy', url: 'http://ops@proxy.corp:3128' },
      expect: [{ kind: 'config', key: 'proxy.proxyUrl', sha256: sha256(PROXY), shown: 'the proxy URL the fix set' }],
      fixed: { targets: [TARGET], exposure: false },
    },
    bind: {
      id: '20260901-100000-bind-0c0c', kind: 'bind', summary: 'Bind the gateway to loopback (was lan) on port 18789', files: [file(PLIST, 'plist', 'plist'), file(CONFIG, 'config', 'config')],
      request: { kind: 'bind' },
      expect: [{ kind: 'config', key: 'gateway.bind', sha256: sha256('loopback'), shown: 'loopback' }, { kind: 'no-bind-argument' }],
      fixed: { targets: [], exposure: true },
    },
    clock: { id: '20260901-100000-clock-0d0d', kind: 'clock', summary: 'Set the clock', files: [], request: { kind: 'clock' }, expect: [], fixed: { targets: [], exposure: false } },
  };
  return { ...common, ...byKind[kind], ...over } as BundleManifest;
}

/** The service as each fix left it. */
function inForce(over: Partial<ServiceNow> = {}): ServiceNow {
  return {
    plistPath: PLIST, env: { NODE_EXTRA_CA_CERTS: CA }, programArguments: ['/opt/homebrew/bin/node', 'dist/index.js', 'gateway', '--port', '18789'],
    config: { proxyUrl: PROXY, bind: 'loopback' },
    files: { [CA]: sha256('bundle'), [ENV]: sha256('env'), [CONFIG]: sha256('config'), [PLIST]: sha256('plist') },
    caBundles: { [CA]: ['ZZ:99', 'AA:01'] }, envFileGenerated: true, ...over,
  };
}
const none: FailingNow = { targets: [], gatewayExposed: false };
const all = [bundle('ca'), bundle('proxy'), bundle('bind'), bundle('clock')];

describe('fix.reverted: each verified fix against the service as it is now', () => {
  it('nothing while every fix is in force (an unset gateway.bind is loopback)', () => {
    assert.deepEqual(revertedFindings(all, inForce(), none), []);
    assert.deepEqual(revertedFindings(all, inForce({ config: { proxyUrl: PROXY, bind: null } }), none), []);
  });

  const rows: Array<{ name: string; now: Partial<ServiceNow>; failing?: typeof none; id: string; severity: 'warn' | 'critical'; detail: RegExp }> = [
    {
      name: 'doctor\'s rewrite reset NODE_EXTRA_CA_CERTS', id: bundle('ca').id, severity: 'warn',
      now: { env: { NODE_EXTRA_CA_CERTS: '/etc/ssl/cert.pem' }, files: { ...inForce().files, [ENV]: sha256('regenerated') } },
      detail: /^Applied 2026-09-01T10:00:00\.000Z\. Now: NODE_EXTRA_CA_CERTS is \/etc\/ssl\/cert\.pem now, not \S+ca-bundle\.pem\. Likely cause: OpenClaw rewrote the service with its defaults: `openclaw doctor --fix`'s repair, onboarding .* reset NODE_EXTRA_CA_CERTS to \/etc\/ssl\/cert\.pem\.$/,
    },
    {
      name: 'the same, with the failure it fixed back in the last probe run', id: bundle('ca').id, severity: 'critical',
      now: { env: { NODE_EXTRA_CA_CERTS: '/etc/ssl/cert.pem' } }, failing: { targets: [TARGET], gatewayExposed: false },
      detail: /The failure it fixed is back in the last probe run: https:\/\/api\.corp\.example\/\.$/,
    },
    {
      name: 'the env file edited by hand drops the variable', id: bundle('ca').id, severity: 'warn',
      now: { env: {}, files: { ...inForce().files, [ENV]: sha256('hand') }, envFileGenerated: false },
      detail: /Now: NODE_EXTRA_CA_CERTS is no longer set \(the fix set \S+ca-bundle\.pem\)\. Likely cause: the service's env file was edited by hand\./,
    },
    {
      name: 'the CA bundle lost the certificate', id: bundle('ca').id, severity: 'warn',
      now: { caBundles: { [CA]: ['ZZ:99'] }, files: { ...inForce().files, [CA]: sha256('other') } },
      detail: /Now: \S+ca-bundle\.pem no longer holds 1 of the 1 certificate\(s\) the fix added\. Likely cause: the CA bundle file was changed or removed\./,
    },
    {
      name: 'proxy.proxyUrl changed: the URL is never shown', id: bundle('proxy').id, severity: 'warn',
      now: { config: { proxyUrl: 'http://127.0.0.1:9', bind: 'loopback' }, files: { ...inForce().files, [CONFIG]: sha256('edited') } },
      detail: /Now: proxy\.proxyUrl in openclaw\.json holds another value than the proxy URL the fix set\. Likely cause: openclaw\.json was changed/,
    },
    {
      name: 'proxy.proxyUrl gone (or proxy.enabled false)', id: bundle('proxy').id, severity: 'warn',
      now: { config: { proxyUrl: null, bind: 'loopback' } },
      detail: /Now: proxy\.proxyUrl in openclaw\.json is no longer set\. Likely cause:/,
    },
    {
      name: '--bind back in ProgramArguments and the port exposed', id: bundle('bind').id, severity: 'critical',
      now: { programArguments: [...inForce().programArguments, '--bind', 'lan'], files: { ...inForce().files, [PLIST]: sha256('edited') } }, failing: { targets: [], gatewayExposed: true },
      detail: /Now: --bind lan is back in the service's ProgramArguments\. Likely cause: the LaunchAgent was rewritten or edited .* The gateway port is exposed beyond loopback again\.$/,
    },
    {
      name: 'gateway.bind back to lan in config', id: bundle('bind').id, severity: 'warn',
      now: { config: { proxyUrl: PROXY, bind: 'lan' }, files: { ...inForce().files, [CONFIG]: sha256('edited') } },
      detail: /Now: gateway\.bind in openclaw\.json is lan now, not loopback\./,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const found = revertedFindings(all, inForce(row.now), row.failing ?? none);
      assert.equal(found.length, 1, JSON.stringify(found));
      const [finding] = found;
      assert.equal(finding!.id, 'fix.reverted');
      assert.equal(finding!.severity, row.severity);
      assert.match(finding!.title, new RegExp(`^Fix ${row.id} \\(.*\\) is no longer in force$`));
      assert.match(finding!.detail!, row.detail);
      assert.ok(!finding!.detail!.includes('pw-9931') && !finding!.title.includes('pw-9931'), 'no password');
      assert.deepEqual(finding!.remedy, { fix: null, view: 'fixes', command: `clawbar fix reapply ${row.id}`, reapply: row.id });
      assert.match(finding!.fix!, new RegExp(`clawbar fix reapply ${row.id}`));
    });
  }

  it('only the newest verified fix of a kind counts; rolled-back, failed and other services\' fixes do not', () => {
    const older = bundle('proxy', { id: '20260801-100000-proxy-0e0e', expect: [{ kind: 'config', key: 'proxy.proxyUrl', sha256: sha256('http://old:1'), shown: 'x' }] });
    assert.deepEqual(revertedFindings([bundle('proxy'), older], inForce(), none), [], 'the newer fix replaced the older one');
    const rolledBack = bundle('proxy', { state: 'rolled-back', id: '20260902-100000-proxy-0f0f', expect: [{ kind: 'config', key: 'proxy.proxyUrl', sha256: sha256('http://gone:1'), shown: 'x' }] });
    assert.deepEqual(revertedFindings([rolledBack, bundle('proxy')], inForce(), none), [], 'a rolled-back fix neither counts nor hides the one before it');
    const failed = bundle('bind', { state: 'failed' });
    const elsewhere = bundle('bind', { plistPath: '/Library/LaunchDaemons/other.plist' });
    assert.deepEqual(revertedFindings([failed, elsewhere], inForce({ config: { proxyUrl: PROXY, bind: 'lan' } }), none), []);
  });

  it('a CA fix of gateway scope and one of system scope are watched side by side', () => {
    const system = bundle('ca', { id: '20260902-100000-ca-1a1a', request: { kind: 'ca', cert: '/tmp/corp.pem', scope: 'system' }, expect: [{ kind: 'env', name: 'NODE_USE_SYSTEM_CA', sha256: sha256('1'), shown: '1' }] });
    const found = revertedFindings([system, bundle('ca')], inForce({ env: { NODE_EXTRA_CA_CERTS: CA, NODE_USE_SYSTEM_CA: '0' } }), none);
    assert.deepEqual(found.map((f) => [f.title.slice(4, 27), f.detail!.split('. ')[1]]), [['20260902-100000-ca-1a1a', 'Now: NODE_USE_SYSTEM_CA is 0 now, not 1']]);
  });
});

describe('fix.reverted in the faces: one step to put it back', () => {
  it('the CLI prints `clawbar fix reapply ID`, the popover offers "Put it back" with the same id, and IPC takes only a bundle id', () => {
    const [finding] = revertedFindings(all, inForce({ config: { proxyUrl: PROXY, bind: 'lan' } }), none);
    assert.ok(finding, 'an undone bind fix is found');
    const id = bundle('bind').id;
    assert.equal(finding.remedy?.command, `clawbar fix reapply ${id}`);
    assert.equal(finding.remedy?.reapply, id);
    assert.match(formatFindings([finding]).join('\n'), new RegExp(`run: clawbar fix reapply ${id}`));
    const shown = remedyDisplay(finding, 'overview');
    assert.deepEqual(shown.action, { label: 'Put it back', view: 'fixes', preset: { reapply: id } });
    assert.equal(shown.command, finding.remedy?.command);
    const request = INVOKE['fix:reapply'].request;
    assert.deepEqual(request.parse({ id, apply: true, planId: 'abc123' }), { id, apply: true, planId: 'abc123' });
    for (const bad of [{ id: '../../etc' }, { id: `${id} --force` }, { id, plistPath: '/tmp/x.plist' }]) assert.equal(request.safeParse(bad).success, false, JSON.stringify(bad));
  });
});
