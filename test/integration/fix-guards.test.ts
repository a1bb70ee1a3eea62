import assert from 'node:assert/strict';
import { lstat, mkdir, readFile, rename, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build as buildPlist, parse as parsePlist } from 'plist';
import { FixOutcome } from '../../main/contract.ts';
import { snapshot } from '../helpers/fix-world.ts';
import { cliEnv, makeHome, runCli, writeService } from '../helpers/world.ts';
import { installLaunchctlStandin } from '../peers/launchd-standin.ts';
import { makePki, type Pki } from '../peers/pki.ts';

const DEAD = 'http://127.0.0.1:9/';

/**
 * What could steer a fix somewhere else is refused before anything is
 * written: a Label that is not a reverse-DNS name (it would become a path),
 * a service file that is a symbolic link (the write would replace the link),
 * a --server that is an option rather than a host.
 */
describe('clawbar fix refuses what could steer it', { timeout: 120_000 }, () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let pki: Pki;
  let env: Record<string, string>;

  before(async () => {
    ({ home, cleanup } = await makeHome());
    await mkdir(join(home, 'pki'));
    pki = await makePki(join(home, 'pki'));
    const standin = await installLaunchctlStandin(join(home, 'launchd'));
    env = { ...cliEnv(home), ...standin.env };
  });
  after(() => cleanup());

  const cli = (args: string[]) => runCli(args, env, { timeoutMs: 60_000 });

  it('a Label that is not a reverse-DNS name is refused before any path is built from it', async () => {
    const other = join(home, 'label-world');
    const labelled = await writeService(other, { nodePath: '/bin/true', env: { HOME: other, OPENCLAW_LAUNCHD_LABEL: 'ai.openclaw.gateway' } });
    const job = parsePlist(await readFile(labelled.plistPath, 'utf8')) as Record<string, unknown>;
    job.Label = '../../escaped';
    await writeFile(labelled.plistPath, buildPlist(job as never));
    const before = await snapshot([labelled.envFilePath, labelled.plistPath]);
    const result = await runCli(['fix', 'ca', '--cert', pki.caCert, '--plist', labelled.plistPath, '--target', DEAD, '--apply', '--json'], { ...env, HOME: other }, { timeoutMs: 60_000 });
    assert.equal(result.code, 2, result.stderr);
    assert.match(FixOutcome.parse(JSON.parse(result.stdout)).summary, /Label "\.\.\/\.\.\/escaped" is not a reverse-DNS name/);
    assert.deepEqual(await snapshot([labelled.envFilePath, labelled.plistPath]), before);
    assert.equal(await stat(join(labelled.stateDir, 'escaped.ca-bundle.pem')).catch(() => null), null);
    assert.equal(await stat(join(other, 'escaped.ca-bundle.pem')).catch(() => null), null);
  });

  it('a service file that is a symbolic link: the preview says so and the fix refuses, the link stays', async () => {
    const other = join(home, 'link-world');
    const linked = await writeService(other, { nodePath: '/bin/true', env: { HOME: other, OPENCLAW_LAUNCHD_LABEL: 'ai.openclaw.gateway' } });
    const real = join(other, 'dotfiles-gateway.env');
    await rename(linked.envFilePath, real);
    await symlink(real, linked.envFilePath);
    const before = await snapshot([real]);
    const otherEnv = { ...env, HOME: other };
    for (const mode of [[], ['--apply']]) {
      const result = await runCli(['fix', 'ca', '--cert', pki.caCert, '--target', DEAD, ...mode, '--json'], otherEnv, { timeoutMs: 60_000 });
      assert.equal(result.code, 2, result.stderr);
      const outcome = FixOutcome.parse(JSON.parse(result.stdout));
      assert.match(outcome.summary, /^Refused: \S+\.env is a symbolic link \(to \S+dotfiles-gateway\.env\)/);
      assert.ok(outcome.plan!.notes.some((n) => n.includes('is a symbolic link to') && n.includes('this fix refuses')), 'the preview says so');
      assert.equal(outcome.bundleId, null);
    }
    assert.ok((await lstat(linked.envFilePath)).isSymbolicLink(), 'the link is still a link');
    assert.deepEqual(await snapshot([real]), before);
  });

  it('--server is a host name or address, never an option, for the clock fix and the clock check', async () => {
    for (const args of [['fix', 'clock', '--server=-oProxyCommand=touch /tmp/x'], ['clock', '--server=-d'], ['clock', '--server=--help'], ['clock', '--server', 'a b'], ['fix', 'clock', '--server', 'ntp.example:99999']]) {
      const result = await cli(args);
      assert.equal(result.code, 64, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /not a time server/);
    }
  });
});
