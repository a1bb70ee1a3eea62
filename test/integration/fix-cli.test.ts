import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OPENCLAW_ENV_HEADER } from '../../main/service/env-file.ts';
import { filesUnder, gatewayWorld as makeWorld, snapshot, startFixPeers, type FixPeers, type GatewayWorld } from '../helpers/fix-world.ts';
import { makeHome, runCli } from '../helpers/world.ts';
import { makePki, type Pki } from '../peers/pki.ts';

const PROXY_PASSWORD = 'Pr0xy-Fix-Secret-7731';

describe('clawbar fix against the real gateway, restarted by a launchctl stand-in', { timeout: 900_000 }, () => {
  let peers: FixPeers;
  before(async () => { peers = await startFixPeers(PROXY_PASSWORD); });
  after(() => peers?.stop());

  it('fix ca: tls-trust through nginx → preview → apply (restart) → passes → rollback byte for byte → fails again', async () => {
    const gw = await peers.gatewayWorld('ca');
    const target = `https://localhost:${peers.nginx.port('valid')}/`;
    const files = [gw.svc.envFilePath, gw.svc.plistPath];
    assert.equal((await gw.probe(target)).results[0]!.layer, 'tls-trust');
    const before = await snapshot(files);
    const pidBefore = await gw.standin.pidOf(gw.target);

    const dry = await gw.fix(['ca', '--cert', peers.pki.caCert, '--target', target]);
    assert.equal(dry.run.code, 0, dry.run.stderr);
    assert.equal(dry.outcome.mode, 'dry-run');
    assert.deepEqual(dry.outcome.preflight?.before.targets.map((t) => t.layer), ['tls-trust']);
    assert.deepEqual(dry.outcome.preflight?.after.targets.map((t) => t.ok), [true]);
    const bundleFile = dry.outcome.plan!.files.find((f) => f.role === 'ca-bundle')!;
    assert.equal(bundleFile.existed, false);
    assert.match(dry.outcome.plan!.files.find((f) => f.role === 'env-file')!.diff, /\+export NODE_EXTRA_CA_CERTS='.*ca-bundle\.pem'/);
    assert.ok(dry.outcome.plan!.explanation.some((l) => /sha256\s+[0-9A-F:]{95}/.test(l)), 'the preview shows the fingerprint');
    assert.deepEqual(await snapshot(files), before, 'a dry run writes nothing');
    assert.equal((await snapshot([bundleFile.path]))[bundleFile.path], null);

    const applied = await gw.fix(['ca', '--cert', peers.pki.caCert, '--target', target, '--apply', '--plan', dry.outcome.plan!.planId]);
    assert.equal(applied.run.code, 0, `${applied.outcome.summary}\n${applied.run.stderr}`);
    assert.equal(applied.outcome.verify?.ok, true);
    const pidAfter = await gw.standin.pidOf(gw.target);
    assert.ok(pidAfter && pidAfter !== pidBefore, 'the stand-in restarted the gateway');
    const envText = await readFile(gw.svc.envFilePath, 'utf8');
    assert.equal(envText.split('\n')[0], OPENCLAW_ENV_HEADER);
    assert.match(envText, new RegExp(`^export NODE_EXTRA_CA_CERTS='${bundleFile.path.replaceAll('.', '\\.')}'$`, 'm'));
    assert.equal((await stat(gw.svc.envFilePath)).mode & 0o777, 0o600);
    assert.equal((await stat(bundleFile.path)).mode & 0o777, 0o644);
    assert.equal((await gw.probe(target)).results[0]!.ok, true);
    assert.equal((await fetch(gw.readyUrl)).status, 200);

    const rolled = await gw.fix(['rollback', applied.outcome.bundleId!]);
    assert.equal(rolled.run.code, 0, rolled.outcome.summary);
    assert.deepEqual(await snapshot(files), before, 'files and modes are back byte for byte');
    assert.equal((await snapshot([bundleFile.path]))[bundleFile.path], null, 'the bundle the fix created is gone');
    assert.equal((await gw.probe(target)).results[0]!.layer, 'tls-trust');
    assert.equal((await fetch(gw.readyUrl)).status, 200);

    const history = JSON.parse((await gw.cli(['fix', 'history', '--json'])).stdout) as { bundles: Array<{ id: string; state: string }> };
    assert.deepEqual(history.bundles.map((b) => [b.id, b.state]), [[applied.outcome.bundleId, 'rolled-back']]);
    const audit = (await readFile(join(gw.world, '.local', 'state', 'clawbar', 'logs', 'fixes.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { step: string; status: string; fixId: string });
    for (const step of ['backup', 'write', 'restart', 'verify', 'rollback']) {
      assert.ok(audit.some((a) => a.step === step && a.status === 'ok' && a.fixId === applied.outcome.bundleId), `audit log has ${step} ok`);
    }
  });

  it('fix proxy: CONNECT through the authenticated proxy passes, and the password is in no output or log', async () => {
    // loopbackMode proxy: OpenClaw's managed proxy carries loopback too (by default it keeps loopback direct),
    // so a loopback nginx stands in for the outside world; the dead 127.0.0.1:9 is the wrong proxy to fix.
    const gw = await peers.gatewayWorld('proxy', { config: { proxy: { proxyUrl: 'http://127.0.0.1:9', loopbackMode: 'proxy' } } });
    const target = `https://localhost:${peers.nginx.port('valid')}/`;
    // Trust first (it cannot help yet, and says so); what the daemon then lacks is the proxy.
    const ca = await gw.fix(['ca', '--cert', peers.pki.caCert, '--target', target, '--apply']);
    assert.equal(ca.outcome.ok, true, ca.outcome.summary);
    assert.match(ca.outcome.verify!.detail, /still failing, as the pre-flight said: .* \(proxy\)/);
    assert.equal((await gw.probe(target)).results[0]!.layer, 'proxy');
    const logBefore = (await peers.proxy.readLog()).length;
    const dry = await gw.fix(['proxy', '--url', peers.proxy.url, '--target', target]);
    assert.equal(dry.run.code, 0, dry.outcome.summary);
    const config = dry.outcome.plan!.files.find((f) => f.role === 'config')!;
    assert.ok(config, 'proxy.proxyUrl is set in the config, so the config is what changes');
    assert.match(config.diff, /\+\s+"?proxyUrl"?: "http:\/\/ops:\[redacted\]@127\.0\.0\.1:\d+"/);
    assert.deepEqual(dry.outcome.preflight?.after.targets.map((t) => t.ok), [true], 'the pre-flight went through the proxy');
    const applied = await gw.fix(['proxy', '--url', peers.proxy.url, '--target', target, '--apply']);
    assert.equal(applied.run.code, 0, `${applied.outcome.summary}\n${applied.run.stderr}`);
    assert.equal(applied.outcome.verify?.ok, true);
    const report = await gw.probe(target);
    assert.equal(report.results[0]!.ok, true);
    assert.equal(report.results[0]!.via, 'proxy');
    const log = (await peers.proxy.readLog()).slice(logBefore);
    assert.match(log, new RegExp(`CONNECT localhost:${peers.nginx.port('valid')}`));
    assert.doesNotMatch(log, /opensock: opening connection to (?!localhost|127\.0\.0\.1)/, 'the proxy dialled nothing beyond loopback');
    assert.equal((await stat(join(gw.svc.stateDir, 'openclaw.json'))).mode & 0o077, 0, 'the config now holding the password is private');

    const outputs = [dry.run.stdout, dry.run.stderr, applied.run.stdout, applied.run.stderr, JSON.stringify(report)];
    const logFiles = [...await filesUnder(join(gw.world, '.local')), ...await filesUnder(join(gw.world, 'Library', 'Logs'))];
    for (const text of [...outputs, ...await Promise.all(logFiles.map((f) => readFile(f, 'utf8')))]) {
      assert.ok(!text.includes(PROXY_PASSWORD), 'the proxy password leaked');
    }
    assert.ok(logFiles.some((f) => f.endsWith('fixes.jsonl')) && logFiles.some((f) => f.endsWith('probes.jsonl')));
  });

  it('fix bind: a gateway started with --bind lan --auth token ends up listening on loopback only', async () => {
    const token = 'bind-test-Token-5521';
    const gw = await peers.gatewayWorld('bind', {
      config: { gateway: { bind: 'lan', auth: { mode: 'token', token } } },
      extraArgs: ['--bind', 'lan', '--auth', 'token', '--token', token],
    });
    const lan = JSON.parse((await gw.cli(['listeners', '--json'])).stdout) as { items: Array<{ port: number; exposure: string }> };
    assert.ok(lan.items.some((l) => l.port === gw.port && l.exposure === 'wildcard'), 'lan bind listens on *');
    const applied = await gw.fix(['bind', '--apply']);
    assert.equal(applied.run.code, 0, `${applied.outcome.summary}\n${applied.run.stderr}`);
    const [plist, config] = [applied.outcome.plan!.files.find((f) => f.role === 'plist')!, applied.outcome.plan!.files.find((f) => f.role === 'config')!];
    assert.match(plist.diff, /-\s*<string>--bind<\/string>\n-\s*<string>lan<\/string>\n/, '--bind is removed, not rewritten');
    assert.match(config.diff, /-\s+"bind": "lan",\n\+\s+"bind": "loopback",/);
    assert.ok(applied.outcome.steps.some((s) => s.step === 'restart' && /bootout .* bootstrap/.test(s.detail)), 'a plist change is a bootout + bootstrap');
    const listeners = JSON.parse((await gw.cli(['listeners', '--json'])).stdout) as { items: Array<{ port: number; exposure: string }> };
    const mine = listeners.items.filter((l) => l.port === gw.port);
    assert.ok(mine.length > 0 && mine.every((l) => l.exposure === 'loopback'), JSON.stringify(mine));
    assert.ok(!`${applied.run.stdout}${applied.run.stderr}`.includes(token), 'the token on the command line is redacted');
  });
});

describe('clawbar fix survives being killed at every step', { timeout: 600_000 }, () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let gw: GatewayWorld;
  let pki: Pki;
  before(async () => {
    ({ home, cleanup } = await makeHome());
    await mkdir(join(home, 'pki'));
    pki = await makePki(join(home, 'pki'));
    gw = await makeWorld(join(home, 'crash'));
  });
  after(async () => {
    await gw?.standin.stopAll();
    await cleanup();
  });

  for (const point of ['after-backup', 'mid-write', 'between-writes', 'before-restart']) {
    it(`killed ${point}: every service file is old or new, never a mix, and rollback restores them`, async () => {
      const dry = await gw.fix(['ca', '--cert', pki.caCert, '--target', 'http://127.0.0.1:9/']);
      const files = dry.outcome.plan!.files;
      const before = await snapshot(files.map((f) => f.path));
      const killed = await runCli(['fix', 'ca', '--cert', pki.caCert, '--target', 'http://127.0.0.1:9/', '--apply', '--force'], { ...gw.env, CLAWBAR_FAULT_AT: point }, { timeoutMs: 120_000 });
      assert.equal(killed.code, 70, 'the process died (SIGKILL)');
      const states = await Promise.all(files.map(async (f) => {
        const bytes = await readFile(f.path).catch(() => null);
        const hash = bytes ? createHash('sha256').update(bytes).digest('hex') : null;
        assert.ok(hash === f.sha256Before || hash === f.sha256After, `${f.path} is neither the old nor the new version`);
        return hash === f.sha256After ? 'new' : 'old';
      }));
      const expected = { 'after-backup': ['old', 'old'], 'mid-write': ['old', 'old'], 'between-writes': ['new', 'old'], 'before-restart': ['new', 'new'] }[point];
      assert.deepEqual(states, expected);
      const envText = await readFile(gw.svc.envFilePath, 'utf8');
      assert.equal(envText.split('\n')[0], OPENCLAW_ENV_HEADER, 'the wrapper would still accept the env file');

      const blocked = await gw.fix(['ca', '--cert', pki.caCert, '--target', 'http://127.0.0.1:9/', '--apply']);
      assert.equal(blocked.run.code, 2);
      assert.match(blocked.outcome.summary, /was interrupted.*fix rollback/);

      const rolled = await gw.fix(['rollback']);
      assert.equal(rolled.run.code, 0, rolled.outcome.summary);
      assert.deepEqual(await snapshot(files.map((f) => f.path)), before);
      const leftovers = (await readdir(join(gw.svc.stateDir, 'service-env'))).filter((n) => n.endsWith('.tmp'));
      assert.deepEqual(leftovers, [], 'no temp files are left beside the service files');
      assert.equal((await fetch(gw.readyUrl)).status, 200, 'the gateway runs on the old files');
    });
  }
});
