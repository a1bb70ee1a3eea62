import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile, chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { FixOutcome } from '../../main/contract.ts';
import { snapshot } from '../helpers/fix-world.ts';
import { cliEnv, makeHome, runCli, writeService, type ServiceFiles } from '../helpers/world.ts';
import { installLaunchctlStandin } from '../peers/launchd-standin.ts';
import { makePki, type Pki } from '../peers/pki.ts';

const run = promisify(execFile);
const DAY = 86_400_000;
const DEAD = 'http://127.0.0.1:9/';

describe('clawbar fix refuses bad input and changes nothing', { timeout: 300_000 }, () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let pki: Pki;
  let expiredCa: Pki;
  let futureCa: Pki;
  let secondCa: Pki;
  let leaf: string;
  let svc: ServiceFiles;
  let env: Record<string, string>;
  let files: string[];

  before(async () => {
    ({ home, cleanup } = await makeHome());
    const dir = async (name: string) => { await mkdir(join(home, name), { recursive: true }); return join(home, name); };
    pki = await makePki(await dir('pki'));
    leaf = (await pki.issue('leaf', { sans: ['localhost'] })).cert;
    expiredCa = await makePki(await dir('old'), { caName: 'Old Inspection CA', caNotBefore: new Date(Date.now() - 400 * DAY), caNotAfter: new Date(Date.now() - DAY) });
    futureCa = await makePki(await dir('new'), { caName: 'Future Inspection CA', caNotBefore: new Date(Date.now() + 2 * DAY), caNotAfter: new Date(Date.now() + 400 * DAY) });
    secondCa = await makePki(await dir('second'), { caName: 'Second Corp CA' });
    const world = await dir('world');
    svc = await writeService(world, { env: { HOME: world, NODE_EXTRA_CA_CERTS: '/etc/ssl/cert.pem', OPENCLAW_LAUNCHD_LABEL: 'ai.openclaw.gateway', OPENCLAW_GATEWAY_PORT: '18789' } });
    const standin = await installLaunchctlStandin(await dir('launchd'));
    env = { ...cliEnv(world), ...standin.env };
    files = [svc.envFilePath, svc.plistPath, join(svc.stateDir, 'service-env', 'ai.openclaw.gateway.ca-bundle.pem')];
  });
  after(() => cleanup());

  const fix = (args: string[], extra: Record<string, string> = {}, runAs?: string) => runCli(['fix', ...args], { ...env, ...extra }, { timeoutMs: 60_000, runAs });

  it('a leaf, an expired CA, a not-yet-valid CA and garbage are refused with exit 65 and a reason', async () => {
    const garbage = join(home, 'garbage.pem');
    await writeFile(garbage, 'this is not a certificate\n');
    const key = join(home, 'key.pem');
    await writeFile(key, await readFile(join(home, 'pki', 'ca.key')));
    const before = await snapshot(files);
    const cases: Array<[string, RegExp]> = [
      [leaf, /not a CA \(basicConstraints CA:FALSE\).*Ask for the CA that issued it \(CN=Corp Inspection CA/],
      [expiredCa.caCert, /Old Inspection CA.* expired on/],
      [futureCa.caCert, /is not valid before .*check the clock/],
      [garbage, /not a certificate: expected PEM .*DER or a PEM bundle/],
      [key, /holds no CERTIFICATE block/],
      [join(home, 'missing.pem'), /missing\.pem/],
    ];
    for (const [cert, reason] of cases) {
      const result = await fix(['ca', '--cert', cert, '--apply', '--target', DEAD]);
      assert.equal(result.code, 65, `${cert}: ${result.stderr}`);
      assert.match(result.stderr, reason);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(result.stdout, '');
    }
    assert.deepEqual(await snapshot(files), before);
  });

  it('accepts the same CA as DER and as a bundle with a second CA', async () => {
    const der = join(home, 'ca.der');
    await run('openssl', ['x509', '-in', pki.caCert, '-outform', 'DER', '-out', der]);
    const bundle = join(home, 'bundle.pem');
    await writeFile(bundle, `${await readFile(pki.caCert, 'utf8')}\n${await readFile(secondCa.caCert, 'utf8')}`);
    for (const cert of [der, bundle]) {
      const result = await fix(['ca', '--cert', cert, '--target', DEAD, '--json']);
      assert.equal(result.code, 0, result.stderr);
      const outcome = FixOutcome.parse(JSON.parse(result.stdout));
      assert.ok(outcome.plan!.explanation.some((l) => /CN=Corp Inspection CA/.test(l)));
      if (cert === bundle) assert.ok(outcome.plan!.explanation.some((l) => /Certificate 2 of 2/.test(l)) && outcome.plan!.explanation.some((l) => /Second Corp CA/.test(l)));
      assert.ok(outcome.plan!.notes.some((n) => /cannot be read|Keeps the/.test(n)), 'what happens to the current NODE_EXTRA_CA_CERTS is said');
    }
  });

  it('proxy URLs with a bad scheme, port, path or no port are usage errors (64), the password never echoed', async () => {
    const before = await snapshot(files);
    for (const url of ['socks5://ops:S3cret-URL-pw@127.0.0.1:1080', 'http://ops:S3cret-URL-pw@127.0.0.1:99999', 'http://ops:S3cret-URL-pw@127.0.0.1', 'http://127.0.0.1:3128/path', 'not a url S3cret-URL-pw']) {
      const result = await fix(['proxy', '--url', url, '--apply']);
      assert.equal(result.code, 64, `${url}: ${result.stderr}`);
      assert.match(result.stderr, /--url/);
      assert.doesNotMatch(result.stderr + result.stdout, /S3cret-URL-pw/);
    }
    assert.deepEqual(await snapshot(files), before);
  });

  it('refuses to apply a plan when a service file changed after the preview', async () => {
    const dry = FixOutcome.parse(JSON.parse((await fix(['ca', '--cert', pki.caCert, '--target', DEAD, '--json'])).stdout));
    await appendFile(svc.envFilePath, "export EDITED_BY_SOMEONE='yes'\n");
    const edited = await snapshot(files);
    const result = await fix(['ca', '--cert', pki.caCert, '--target', DEAD, '--apply', '--plan', dry.plan!.planId, '--json']);
    assert.equal(result.code, 2);
    assert.match(FixOutcome.parse(JSON.parse(result.stdout)).summary, /plan changed since it was reviewed/);
    assert.deepEqual(await snapshot(files), edited);
  });

  it('refuses an env file whose header the wrapper rejects, rather than write one', async () => {
    const original = await readFile(svc.envFilePath);
    await writeFile(svc.envFilePath, original.toString('utf8').replace(/^# Generated by OpenClaw/, '# generated by hand'));
    try {
      const before = await snapshot(files);
      const result = await fix(['ca', '--cert', pki.caCert, '--target', DEAD, '--apply', '--json']);
      assert.equal(result.code, 2);
      assert.match(FixOutcome.parse(JSON.parse(result.stdout)).summary, /first line is not OpenClaw's header, so the wrapper already exits 78/);
      assert.deepEqual(await snapshot(files), before);
    } finally {
      await writeFile(svc.envFilePath, original);
    }
  });

  it('refuses a read-only service folder before touching anything', async () => {
    const world = join(home, 'world');
    const cert = join(world, 'ca.crt');
    await writeFile(cert, await readFile(pki.caCert));
    await run('chown', ['-R', 'nobody:nogroup', world]);
    await chmod(home, 0o711);
    await chmod(join(svc.stateDir, 'service-env'), 0o500);
    try {
      const before = await snapshot(files);
      const result = await fix(['ca', '--cert', cert, '--target', DEAD, '--apply', '--json'], {}, 'nobody');
      assert.equal(result.code, 2, result.stderr);
      assert.match(FixOutcome.parse(JSON.parse(result.stdout)).summary, /cannot write in .*service-env \(read-only/);
      assert.deepEqual(await snapshot(files), before);
    } finally {
      await chmod(join(svc.stateDir, 'service-env'), 0o700);
      await chmod(home, 0o700);
      await run('chown', ['-R', 'root:root', world]);
    }
  });

  it('system scope on a machine without `security` shows the keychain commands and refuses to apply', async () => {
    const dry = FixOutcome.parse(JSON.parse((await fix(['ca', '--cert', pki.caCert, '--scope', 'system', '--target', DEAD, '--json'])).stdout));
    assert.ok(dry.plan!.commands.some((c) => /^sudo security add-trusted-cert -d -r trustRoot -k \/Library\/Keychains\/System\.keychain /.test(c)));
    assert.equal(dry.plan!.needsAdmin, true);
    const result = await fix(['ca', '--cert', pki.caCert, '--scope', 'system', '--target', DEAD, '--apply', '--json']);
    assert.equal(result.code, 2);
    assert.match(FixOutcome.parse(JSON.parse(result.stdout)).summary, /security is not available here/);
  });

  it('fix clock off macOS says what to run instead', async () => {
    const result = await fix(['clock', '--json']);
    assert.equal(result.code, 2);
    assert.match(FixOutcome.parse(JSON.parse(result.stdout)).summary, /chronyc makestep|timedatectl set-ntp true/);
  });
});
