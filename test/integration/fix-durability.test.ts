import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build as buildPlist, parse as parsePlist } from 'plist';
import type { Finding, StatusReport } from '../../main/contract.ts';
import { evaluateEnvFile } from '../../main/service/env-file.ts';
import { formatEnvFile } from '../../main/service/env-file-format.ts';
import { startFixPeers, type FixPeers } from '../helpers/fix-world.ts';
import type { InstalledService } from '../peers/openclaw-install.ts';
import type { UpkeepResult } from '../peers/openclaw-upkeep.ts';

const envOf = async (path: string) => Object.fromEntries([...evaluateEnvFile(await readFile(path, 'utf8'), {}).assigned].map(([k, a]) => [k, a.value]));
const reverted = (status: StatusReport): Finding[] => status.findings.filter((f) => f.id === 'fix.reverted');
/** Audit issues present after that were not there before: what clawbar's change made OpenClaw's audit raise. */
const newIssues = (before: UpkeepResult, after: UpkeepResult) => after.audit.issues.filter((code) => !before.audit.issues.includes(code));

/** Adds variables to OpenClaw's env file in its own format, as an older tool or an operator would have. */
async function addToEnvFile(svc: InstalledService, vars: Record<string, string>): Promise<void> {
  await writeFile(svc.envFilePath, formatEnvFile({ ...await envOf(svc.envFilePath), ...vars }), { mode: 0o600 });
}
async function editPlist(path: string, edit: (job: Record<string, unknown>) => void): Promise<void> {
  const job = parsePlist(await readFile(path, 'utf8')) as Record<string, unknown>;
  edit(job);
  await writeFile(path, buildPlist(job as never));
}

/**
 * Fixes that last: each fix applied to a service written by OpenClaw's own
 * installer, then OpenClaw's own upkeep code run on it — the service audit
 * and the update's refresh (which refuses on unknown edits), `gateway install
 * --force` and doctor's repair rewrite. Proxy and bind live in openclaw.json
 * and survive all of them; the gateway-only CA survives update and reinstall
 * and is reset by doctor's rewrite, which clawbar notices (`fix.reverted`)
 * and `fix reapply` puts back.
 */
describe('fixes survive OpenClaw\'s own upkeep, and an undone fix is noticed and put back', { timeout: 1_500_000 }, () => {
  let peers: FixPeers;
  before(async () => { peers = await startFixPeers('Durable-Proxy-Pw-4410'); });
  after(() => peers?.stop());

  it('fix ca (gateway scope): audit and update clean; update and reinstall keep it; doctor\'s rewrite resets it, clawbar notices, reapply puts it back', async () => {
    const gw = await peers.gatewayWorld('ca');
    const target = `https://localhost:${peers.nginx.port('valid')}/`;
    const fresh = await gw.upkeep('audit');
    assert.deepEqual(fresh.refused, [], 'a fresh install refreshes cleanly');
    const dry = await gw.fix(['ca', '--cert', peers.pki.caCert, '--target', target]);
    assert.ok(dry.outcome.plan!.explanation.some((l) => /lasts through `openclaw gateway restart`, `openclaw update` and `openclaw gateway install --force`/.test(l) && /doctor --fix`'s service rewrite, onboarding .* reset it to \/etc\/ssl\/cert\.pem/.test(l)));
    assert.ok(dry.outcome.plan!.explanation.some((l) => /System scope is the durable choice/.test(l)));
    const applied = await gw.fix(['ca', '--cert', peers.pki.caCert, '--target', target, '--apply', '--plan', dry.outcome.plan!.planId]);
    assert.equal(applied.run.code, 0, applied.outcome.summary);
    const id = applied.outcome.bundleId!;
    const bundle = dry.outcome.plan!.files.find((f) => f.role === 'ca-bundle')!.path;

    const audited = await gw.upkeep('audit');
    assert.deepEqual([audited.refused, newIssues(fresh, audited)], [[], []], 'OpenClaw\'s audit raises nothing new and its update would refresh');
    for (const action of ['update', 'reinstall'] as const) {
      assert.equal((await gw.upkeep(action)).written, true, action);
      assert.equal((await envOf(gw.svc.envFilePath)).NODE_EXTRA_CA_CERTS, bundle, `${action} keeps the gateway-only bundle`);
      assert.deepEqual(reverted(await gw.status()), [], `after ${action} the fix is still in force`);
    }

    await gw.upkeep('doctor-rewrite');
    assert.equal((await envOf(gw.svc.envFilePath)).NODE_EXTRA_CA_CERTS, '/etc/ssl/cert.pem', 'doctor\'s rewrite resets it');
    const [noticed] = reverted(await gw.status());
    assert.ok(noticed, 'the undone fix is a finding');
    assert.equal(noticed.severity, 'warn', 'the last probe run (the verification) still passed');
    assert.match(noticed.title, new RegExp(`^Fix ${id} \\(Trust CN=Corp Inspection CA.*\\) is no longer in force$`));
    assert.match(noticed.detail!, /^Applied \d{4}-\d\d-\d\dT.*\. Now: NODE_EXTRA_CA_CERTS is \/etc\/ssl\/cert\.pem now, not \S+ca-bundle\.pem\. Likely cause: OpenClaw rewrote the service with its defaults: `openclaw doctor --fix`'s repair/);
    assert.equal(noticed.remedy?.command, `clawbar fix reapply ${id}`);

    await gw.kickstart();
    assert.equal((await gw.probe(target)).results[0]!.layer, 'tls-trust', 'the restarted daemon no longer trusts the CA');
    const [critical] = reverted(await gw.status());
    assert.equal(critical?.severity, 'critical', 'the failure it fixed is back in the last probe run');
    assert.match(critical!.detail!, new RegExp(`The failure it fixed is back in the last probe run: ${target.replace(/[/.]/g, '\\$&')}`));
    const report = JSON.parse((await gw.cli(['report', '--json'])).stdout) as { findings: Finding[] };
    assert.ok(report.findings.some((f) => f.id === 'fix.reverted' && f.severity === 'critical'), 'the report carries it too');

    const again = await gw.fix(['reapply', id, '--target', target]);
    assert.equal(again.run.code, 0, again.outcome.summary);
    assert.match(again.outcome.plan!.files.find((f) => f.role === 'env-file')!.diff, /-export NODE_EXTRA_CA_CERTS='\/etc\/ssl\/cert\.pem'\n\+export NODE_EXTRA_CA_CERTS='\S+ca-bundle\.pem'/);
    assert.match(again.outcome.preflight!.verdict, /^better: 1 of 1/);
    const put = await gw.fix(['reapply', id, '--target', target, '--apply', '--plan', again.outcome.plan!.planId]);
    assert.equal(put.run.code, 0, put.outcome.summary);
    assert.equal((await gw.probe(target)).results[0]!.ok, true);
    assert.deepEqual(reverted(await gw.status()), [], 'put back: no longer reported');
  });

  it('fix proxy: embedded proxy variables move into proxy.proxyUrl; audit and update clean; update, reinstall and doctor keep it; a hand edit is noticed and reapplied', async () => {
    const gw = await peers.gatewayWorld('proxy', {
      config: { proxy: { proxyUrl: 'http://127.0.0.1:9', loopbackMode: 'proxy' } },
      installEnv: { OPENCLAW_PROXY_URL: 'http://127.0.0.1:9', NODE_EXTRA_CA_CERTS: peers.pki.caCert },
      // As an older tool would have left it: proxy variables in the env file and inline in the plist.
      prepare: async (svc) => {
        await addToEnvFile(svc, { HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: 'localhost,127.0.0.1' });
        await editPlist(svc.plistPath, (job) => { job.EnvironmentVariables = { HTTP_PROXY: 'http://127.0.0.1:9' }; });
      },
    });
    const target = `https://localhost:${peers.nginx.port('valid')}/`;
    const embedded = await gw.upkeep('audit');
    assert.ok(embedded.audit.issues.includes('gateway-proxy-env-embedded'), JSON.stringify(embedded.audit));
    assert.ok(embedded.refused.includes('Environment.HTTPS_PROXY') && embedded.refused.includes('Environment.NO_PROXY'), 'the update would refuse to refresh');
    assert.equal((await gw.probe(target)).results[0]!.layer, 'proxy');

    const dry = await gw.fix(['proxy', '--url', peers.proxy.url, '--target', target]);
    assert.equal(dry.run.code, 0, dry.outcome.summary);
    const [config, envFile, plist] = (['config', 'env-file', 'plist'] as const).map((role) => dry.outcome.plan!.files.find((f) => f.role === role)!);
    assert.match(config!.diff, /^\+.*"?proxyUrl"?: "http:\/\/ops:\[redacted\]@127\.0\.0\.1:\d+"/m);
    for (const name of ['HTTPS_PROXY', 'NO_PROXY', 'OPENCLAW_PROXY_URL']) assert.match(envFile!.diff, new RegExp(`^-export ${name}=`, 'm'), `${name} leaves the env file`);
    assert.doesNotMatch(envFile!.diff, /^\+export/m, 'nothing is added to the env file');
    assert.match(plist!.diff, /^-\s*<key>HTTP_PROXY<\/key>/m);
    assert.ok(dry.outcome.plan!.notes.some((n) => /HTTPS_PROXY, NO_PROXY.* move out of the service's environment into the config/.test(n)));
    const validate = dry.outcome.findings.find((f) => f.id === 'fix.proxy-validate');
    assert.ok(validate, 'OpenClaw\'s own proxy check ran in the pre-flight');
    assert.match(validate.title, new RegExp(`allowed ${target.replace(/[/.]/g, '\\$&')}: ok`));
    assert.match(validate.title, /loopback canary (blocked|reachable)/);
    assert.ok(!JSON.stringify(dry.outcome).includes('Durable-Proxy-Pw-4410'));

    const applied = await gw.fix(['proxy', '--url', peers.proxy.url, '--target', target, '--apply']);
    assert.equal(applied.run.code, 0, applied.outcome.summary);
    const id = applied.outcome.bundleId!;
    assert.equal((await gw.probe(target)).results[0]!.via, 'proxy');
    const audited = await gw.upkeep('audit');
    assert.deepEqual([audited.refused, newIssues(embedded, audited)], [[], []], 'OpenClaw\'s audit raises nothing new and its update would refresh');
    assert.ok(!audited.audit.issues.includes('gateway-proxy-env-embedded'));
    for (const action of ['update', 'reinstall', 'doctor-rewrite'] as const) {
      assert.equal((await gw.upkeep(action)).written, true, action);
      assert.match(await readFile(join(gw.svc.stateDir, 'openclaw.json'), 'utf8'), /"proxyUrl": "http:\/\/ops:Durable-Proxy-Pw-4410@127\.0\.0\.1:\d+"/, `${action} leaves the config alone`);
      assert.deepEqual(reverted(await gw.status()), [], `after ${action} the fix is still in force`);
    }

    const configPath = join(gw.svc.stateDir, 'openclaw.json');
    await writeFile(configPath, (await readFile(configPath, 'utf8')).replace(/"proxyUrl": "[^"]+"/, '"proxyUrl": "http://127.0.0.1:9"'));
    const [noticed] = reverted(await gw.status());
    assert.equal(noticed?.severity, 'warn');
    assert.match(noticed!.detail!, /Now: proxy\.proxyUrl in openclaw\.json holds another value than the proxy URL the fix set\. Likely cause: openclaw\.json was changed/);
    assert.ok(!noticed!.detail!.includes('127.0.0.1:9'), 'a proxy URL is never shown');
    const put = await gw.fix(['reapply', id, '--target', target, '--apply']);
    assert.equal(put.run.code, 0, put.outcome.summary);
    assert.deepEqual(reverted(await gw.status()), []);
  });

  it('fix bind: --bind removed and gateway.bind in config; audit and update clean; every rewrite keeps it; --bind put back by hand is critical and reapplied', async () => {
    const token = 'durable-bind-Token-3317';
    const gw = await peers.gatewayWorld('bind', { config: { gateway: { mode: 'local', bind: 'lan', auth: { mode: 'token', token } } }, extraArgs: ['--bind', 'lan'] });
    const lan = await gw.upkeep('audit');
    assert.ok(lan.refused.includes('ProgramArguments'), 'OpenClaw\'s update refuses to refresh a service with --bind');
    const applied = await gw.fix(['bind', '--apply']);
    assert.equal(applied.run.code, 0, applied.outcome.summary);
    const id = applied.outcome.bundleId!;
    const args = () => readFile(gw.svc.plistPath, 'utf8').then((text) => (parsePlist(text) as { ProgramArguments: string[] }).ProgramArguments);
    assert.ok(!(await args()).includes('--bind'));
    const audited = await gw.upkeep('audit');
    assert.deepEqual([audited.refused, newIssues(lan, audited)], [[], []]);
    for (const action of ['update', 'reinstall', 'doctor-rewrite'] as const) {
      assert.equal((await gw.upkeep(action)).written, true, action);
      assert.ok(!(await args()).includes('--bind'), `${action}: no --bind`);
      assert.match(await readFile(join(gw.svc.stateDir, 'openclaw.json'), 'utf8'), /"bind": "loopback"/, `${action} leaves gateway.bind`);
      assert.deepEqual(reverted(await gw.status()), [], `after ${action} the fix is still in force`);
    }

    await editPlist(gw.svc.plistPath, (job) => { job.ProgramArguments = [...(job.ProgramArguments as string[]), '--bind', 'lan']; });
    await gw.reload();
    const [noticed] = reverted(await gw.status());
    assert.equal(noticed?.severity, 'critical', 'the port is exposed again');
    assert.match(noticed!.detail!, /Now: --bind lan is back in the service's ProgramArguments\. Likely cause: the LaunchAgent was rewritten or edited.*The gateway port is exposed beyond loopback again\./);
    const put = await gw.fix(['reapply', id, '--apply']);
    assert.equal(put.run.code, 0, put.outcome.summary);
    const status = await gw.status();
    assert.deepEqual(reverted(status), []);
    assert.ok(status.listeners.items.filter((l) => l.port === gw.port).every((l) => l.exposure === 'loopback'));
  });
});
