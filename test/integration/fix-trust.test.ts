import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { FixOutcome } from '../../main/contract.ts';
import { manifestText } from '../../main/fixes/bundle-trust.ts';
import { BundleManifest, sha256 } from '../../main/fixes/manifest.ts';
import { snapshot } from '../helpers/fix-world.ts';
import { cliEnv, makeHome, runCli, writeService, type ServiceFiles } from '../helpers/world.ts';
import { installLaunchctlStandin } from '../peers/launchd-standin.ts';
import { makePki, type Pki } from '../peers/pki.ts';

const run = promisify(execFile);
const DEAD = 'http://127.0.0.1:9/';

/**
 * A rollback nobody else can steer: bundles clawbar did not record (planted,
 * or changed by another account) are refused before anything in them runs;
 * even a validly signed manifest cannot restore outside the fix's service
 * files, set odd modes or name another launchctl target; undo runs only for
 * commands that ran. The service runs /bin/true under the real
 * wrapper (no gateway needed), restarted by the launchctl stand-in.
 */
describe('clawbar fix rollback trusts only what it recorded', { timeout: 300_000 }, () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let pki: Pki;
  let world: string;
  let svc: ServiceFiles;
  let env: Record<string, string>;
  let bundles: string;
  let keyPath: string;

  before(async () => {
    ({ home, cleanup } = await makeHome());
    await mkdir(join(home, 'pki'));
    pki = await makePki(join(home, 'pki'));
    world = join(home, 'world');
    svc = await writeService(world, { nodePath: '/bin/true', env: { HOME: world, NODE_EXTRA_CA_CERTS: '/etc/ssl/cert.pem', OPENCLAW_LAUNCHD_LABEL: 'ai.openclaw.gateway', OPENCLAW_GATEWAY_PORT: '18789' } });
    const standin = await installLaunchctlStandin(join(home, 'launchd'));
    env = { ...cliEnv(world), ...standin.env };
    await mkdir(join(world, '.config', 'clawbar'), { recursive: true });
    await writeFile(join(world, '.config', 'clawbar', 'config.json'), JSON.stringify({ ntpServer: '127.0.0.1:9' }));
    bundles = join(world, '.local', 'state', 'clawbar', 'fixes');
    keyPath = join(world, '.local', 'state', 'clawbar', 'fix-bundle.key');
  });
  after(() => cleanup());

  const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { ...env, ...extra }, { timeoutMs: 120_000 });
  const fix = async (args: string[], extra: Record<string, string> = {}) => {
    const result = await cli(['fix', ...args, '--json', '--restart-timeout', '1000'], extra);
    assert.ok(result.stdout.trim().startsWith('{'), `fix ${args.join(' ')}: exit ${result.code} ${result.stderr}`);
    return { result, outcome: FixOutcome.parse(JSON.parse(result.stdout)) };
  };
  const applyCa = async () => {
    const { result, outcome } = await fix(['ca', '--cert', pki.caCert, '--target', DEAD, '--apply']);
    assert.equal(result.code, 0, outcome.summary);
    return outcome.bundleId!;
  };
  const files = () => [svc.envFilePath, svc.plistPath, join(svc.stateDir, 'service-env', 'ai.openclaw.gateway.ca-bundle.pem')];

  it('a planted newer bundle is neither chosen nor run; named by id it is refused; history and status say so', async () => {
    const genuine = await applyCa();
    const marker = join(home, 'planted-ran');
    const target = join(home, 'elsewhere', 'suid-copy');
    const planted = '29991231-235959-ca-ffff';
    await mkdir(join(bundles, planted), { mode: 0o700 });
    await writeFile(join(bundles, planted, 'file-0.orig'), await readFile('/bin/sh'), { mode: 0o600 });
    await writeFile(join(bundles, planted, 'manifest.json'), JSON.stringify({
      schema: 'clawbar.fix-bundle/1', id: planted, kind: 'ca', createdAt: new Date().toISOString(), state: 'verified', summary: 'planted',
      plistPath: svc.plistPath, serviceTarget: 'gui/0/ai.openclaw.gateway', restart: 'none',
      files: [{ path: target, role: 'ca-bundle', existed: true, mode: 0o4755, uid: 0, gid: 0, sha256Before: sha256(await readFile('/bin/sh')), sha256After: sha256('x'), modeAfter: 0o644, backup: 'file-0.orig' }],
      undo: [{ command: 'sh', args: ['-c', `touch ${marker}`], admin: false }],
    }), { mode: 0o600 });

    const history = JSON.parse((await cli(['fix', 'history', '--json'])).stdout) as { bundles: Array<{ id: string }> };
    assert.deepEqual(history.bundles.map((b) => b.id), [genuine], 'history lists only what clawbar recorded');
    const status = JSON.parse((await cli(['status', '--json'])).stdout) as { findings: Array<{ id: string; title: string }> };
    assert.ok(status.findings.some((f) => f.id === 'fix.bundle-untrusted' && f.title.includes(planted)), JSON.stringify(status.findings));

    const named = await fix(['rollback', planted]);
    assert.equal(named.result.code, 2);
    assert.match(named.outcome.summary, /^Refused: fix bundle 29991231-235959-ca-ffff was not recorded by clawbar \(its manifest is not one clawbar writes\); nothing in it was run or restored\./);
    const reapplied = await fix(['reapply', planted]);
    assert.equal(reapplied.result.code, 2);
    assert.match(reapplied.outcome.summary, /not recorded by clawbar/);

    const bare = await fix(['rollback']);
    assert.equal(bare.result.code, 0, bare.outcome.summary);
    assert.equal(bare.outcome.bundleId, genuine, 'the bare rollback chose the fix clawbar recorded');
    for (const path of [marker, target]) assert.equal(await stat(path).catch(() => null), null, `${path} must not exist`);
  });

  it('a bundle another account could have changed is refused: group-writable folder or manifest, another owner', async () => {
    const id = await applyCa();
    const dir = join(bundles, id);
    const before = await snapshot(files());
    const cases: Array<[string, () => Promise<void>, () => Promise<void>, RegExp]> = [
      ['folder 0775', () => chmod(dir, 0o775), () => chmod(dir, 0o700), /is writable by its group \(mode 0775\)/],
      ['manifest 0666', () => chmod(join(dir, 'manifest.json'), 0o666), () => chmod(join(dir, 'manifest.json'), 0o600), /is writable by others \(mode 0666\)/],
      ['owned by nobody', () => run('chown', ['-R', 'nobody', dir]).then(() => undefined), () => run('chown', ['-R', 'root', dir]).then(() => undefined), /belongs to uid \d+, not to this account/],
      ['store folder 0777', () => chmod(bundles, 0o777), () => chmod(bundles, 0o700), /is writable by others/],
    ];
    for (const [name, spoil, mend, reason] of cases) {
      await spoil();
      try {
        const { result, outcome } = await fix(['rollback', id]);
        assert.equal(result.code, 2, name);
        assert.match(outcome.summary, reason, name);
        assert.match(outcome.summary, /not recorded by clawbar/, name);
        assert.deepEqual(await snapshot(files()), before, `${name}: nothing changed`);
      } finally {
        await mend();
      }
    }
    assert.equal((await fix(['rollback', id])).result.code, 0, 'once mended, the rollback goes through');
  });

  it('even with the key, a manifest cannot restore outside the fix, set odd modes, name another target or carry commands', async () => {
    const id = await applyCa();
    const key = await readFile(keyPath);
    const genuine = BundleManifest.parse((({ mac: _mac, ...rest }) => rest)(JSON.parse(await readFile(join(bundles, id, 'manifest.json'), 'utf8'))));
    const file = genuine.files[0]!;
    const variants: Array<[string, unknown, RegExp]> = [
      ['another path', { ...genuine, files: [{ ...file, path: join(home, 'elsewhere', 'evil') }] }, /elsewhere\/evil is not this service's ca-bundle/],
      ['a path with ..', { ...genuine, files: [{ ...file, path: `${svc.stateDir}/service-env/../service-env/ai.openclaw.gateway.env` }] }, /is not a plain absolute path/],
      ['setuid mode', { ...genuine, files: [{ ...file, mode: 0o4755 }] }, /its manifest is not one clawbar writes/],
      ['another launchctl target', { ...genuine, serviceTarget: 'gui/0/com.example.other' }, /its launchctl target gui\/0\/com\.example\.other is not the service's/],
      ['a free-form command', { ...genuine, undo: [{ command: 'sh', args: ['-c', 'true'], admin: false }] }, /its manifest is not one clawbar writes/],
    ];
    const before = await snapshot(files());
    for (const [index, [name, manifest, reason]] of variants.entries()) {
      const forged = `29990101-00000${index}-ca-abc${index}`;
      await mkdir(join(bundles, forged), { mode: 0o700 });
      for (const entry of await readdir(join(bundles, id))) if (entry !== 'manifest.json') await writeFile(join(bundles, forged, entry), await readFile(join(bundles, id, entry)), { mode: 0o600 });
      const signed = typeof manifest === 'object' && BundleManifest.safeParse({ ...(manifest as object), id: forged }).success
        ? manifestText({ ...(manifest as BundleManifest), id: forged }, key)
        : JSON.stringify({ ...(manifest as object), id: forged, mac: '0'.repeat(64) });
      await writeFile(join(bundles, forged, 'manifest.json'), signed, { mode: 0o600 });
      const { result, outcome } = await fix(['rollback', forged]);
      assert.equal(result.code, 2, name);
      assert.match(outcome.summary, reason, `${name}: ${outcome.summary}`);
      assert.deepEqual(await snapshot(files()), before, `${name}: nothing changed`);
      assert.equal(await stat(join(home, 'elsewhere')).catch(() => null), null);
    }
    assert.equal((await fix(['rollback', id])).result.code, 0);
  });

  it('undo runs only for commands that ran: a CA trusted before a fix that stopped early stays trusted', async () => {
    const bin = join(home, 'security-bin');
    const log = join(home, 'security.log');
    await mkdir(bin, { recursive: true });
    const security = (code: number) => writeFile(join(bin, 'security'), `#!/bin/sh\necho "$@" >> '${log}'\nexit ${code}\n`, { mode: 0o755 });
    const path = { PATH: `${bin}:${env.PATH}` };
    await security(1);
    const failed = await fix(['ca', '--cert', pki.caCert, '--scope', 'system', '--target', DEAD, '--apply'], path);
    assert.equal(failed.result.code, 2, failed.outcome.summary);
    assert.match(failed.outcome.summary, /^security failed: .*The previous files were restored\.$/);
    assert.deepEqual((await readFile(log, 'utf8')).trim().split('\n').map((l) => l.split(' ')[0]), ['add-trusted-cert'], 'nothing was removed');

    await security(0);
    const applied = await fix(['ca', '--cert', pki.caCert, '--scope', 'system', '--target', DEAD, '--apply'], path);
    assert.equal(applied.result.code, 0, applied.outcome.summary);
    const rolled = await fix(['rollback', applied.outcome.bundleId!], path);
    assert.equal(rolled.result.code, 0, rolled.outcome.summary);
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    assert.equal(lines.at(-1), `remove-trusted-cert -d ${join(bundles, applied.outcome.bundleId!, 'ca-0.pem')}`, 'rebuilt from the typed undo: the CA the fix added');
  });

  it('a rollback key others can read is refused, not used', async () => {
    await chmod(keyPath, 0o644);
    try {
      const result = await cli(['fix', 'history', '--json']);
      assert.equal(result.code, 65);
      assert.match(result.stderr, /rollback key .* is readable or writable by others \(mode 0644\)/);
    } finally {
      await chmod(keyPath, 0o600);
    }
  });
});
