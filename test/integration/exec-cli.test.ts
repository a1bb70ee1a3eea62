import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { build as buildPlist } from 'plist';
import { EnvReport } from '../../main/contract.ts';
import { installWithOpenclaw } from '../peers/openclaw-install.ts';
import { startNginx } from '../peers/nginx.ts';
import { makePki } from '../peers/pki.ts';
import { cliEnv, makeHome, runCli, writeService } from '../helpers/world.ts';

const run = promisify(execFile);
const PROXY_PASSWORD = 'Exec-pr0xy-Secret-4411';

/** `env -0` output as a map. */
const envMap = (text: string) => Object.fromEntries(text.split('\0').filter(Boolean).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));

describe('clawbar exec: a command in the daemon\'s world', { timeout: 180_000 }, () => {
  let home: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ home, cleanup } = await makeHome()));
  after(() => cleanup());

  it("prints exactly what /bin/sh running OpenClaw's real wrapper with its env file prints, in the job's working directory", async () => {
    const world = join(home, 'installer');
    const svc = await installWithOpenclaw(world, { env: { OPENCLAW_PROXY_URL: `http://ops:${PROXY_PASSWORD}@127.0.0.1:9` } });
    const env = cliEnv(world);
    const report = EnvReport.parse(JSON.parse((await runCli(['env', '--json'], env)).stdout));
    const base = Object.fromEntries(report.environment.variables.filter((v) => v.source === 'launchd').map((v) => [v.name, v.value]));
    const wd = report.service!.workingDirectory;
    const shell = await run('/bin/sh', [svc.wrapperPath, svc.envFilePath, '/usr/bin/env', '-0'], { env: base, cwd: wd });
    const ours = await runCli(['exec', '--', 'env', '-0'], env);
    assert.equal(ours.code, 0, ours.stderr);
    assert.deepEqual(envMap(ours.stdout), envMap(shell.stdout));
    assert.ok(ours.stdout.includes(PROXY_PASSWORD), 'exec passes output through unredacted');
    assert.equal((await runCli(['exec', '--', 'pwd'], env)).stdout.trim(), wd);

    const printed = await runCli(['exec', '--print-env'], env);
    assert.equal(printed.code, 0);
    assert.ok(!printed.stdout.includes(PROXY_PASSWORD), '--print-env is redacted');
    assert.match(printed.stdout, /^OPENCLAW_PROXY_URL=http:\/\/ops:\[redacted\]@127\.0\.0\.1:9$/m);
    assert.deepEqual(printed.stdout.trim().split('\n').map((l) => l.slice(0, l.indexOf('='))), Object.keys(envMap(shell.stdout)).sort());
  });

  it("finds the command on the daemon's PATH, passes its exit code, and says what is wrong", async () => {
    const world = join(home, 'path');
    const bin = join(world, 'daemon-bin');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'only-daemon-has-me'), '#!/bin/sh\necho "daemon tool $1"\nexit 3\n');
    await chmod(join(bin, 'only-daemon-has-me'), 0o755);
    await writeService(world, { env: { HOME: world, PATH: `${bin}:/usr/bin:/bin`, OPENCLAW_LAUNCHD_LABEL: 'ai.openclaw.gateway' } });
    const env = cliEnv(world);
    const tool = await runCli(['exec', '--', 'only-daemon-has-me', '-h'], env);
    assert.deepEqual([tool.code, tool.stdout], [3, 'daemon tool -h\n'], 'the argument after -- belongs to the command, not to clawbar');
    assert.equal((await runCli(['exec', '--', 'sh', '-c', 'kill -TERM $$'], env)).code, 128 + 15);
    const missing = await runCli(['exec', '--', 'no-such-tool'], env);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /not found on the daemon's PATH/);
    assert.equal((await runCli(['exec'], env)).code, 64);
    assert.equal((await runCli(['exec', '--print-env', '--', 'env'], env)).code, 64);
    assert.equal((await runCli(['exec', '--', 'env'], cliEnv(join(home, 'nothing-installed')))).code, 65);
    await writeFile(join(world, 'garbage.plist'), 'not a plist\u0000');
    assert.equal((await runCli(['exec', '--plist', join(world, 'garbage.plist'), '--', 'env'], env)).code, 65);
  });

  it("as root, runs a LaunchDaemon's command as its UserName", async () => {
    const world = join(home, 'daemon');
    const daemons = join(world, 'root', 'Library', 'LaunchDaemons');
    await mkdir(daemons, { recursive: true });
    const plistPath = join(daemons, 'ai.openclaw.gateway.plist');
    await writeFile(plistPath, buildPlist({
      Label: 'ai.openclaw.gateway', UserName: 'nobody', WorkingDirectory: '/tmp', RunAtLoad: true,
      ProgramArguments: ['/usr/bin/node', '/opt/homebrew/lib/node_modules/openclaw/dist/index.js', 'gateway', '--port', '18789'],
      EnvironmentVariables: { PATH: '/usr/bin:/bin', OPENCLAW_GATEWAY_PORT: '18789' },
    } as never));
    const env = cliEnv(world, { CLAWBAR_SYSTEM_ROOT: join(world, 'root') });
    const id = await runCli(['exec', '--plist', plistPath, '--', 'sh', '-c', 'echo "$(id -un) $USER $(pwd)"'], env);
    assert.equal(id.code, 0, id.stderr);
    assert.equal(id.stdout.trim(), process.getuid?.() === 0 ? 'nobody nobody /tmp' : `${(await run('id', ['-un'])).stdout.trim()} nobody /tmp`);
  });

  it("curl -v through an nginx edge signed by the daemon's CA works in the daemon's world and fails in the shell", async () => {
    const world = join(home, 'curl');
    const dir = async (name: string) => { await mkdir(join(world, name), { recursive: true }); return join(world, name); };
    const pki = await makePki(await dir('pki'), { caName: 'Corp Inspection CA' });
    const leaf = await pki.issue('edge', { sans: ['localhost', 'IP:127.0.0.1'] });
    const nginx = await startNginx({ dir: await dir('nginx'), vhosts: [{ name: 'edge', serverNames: ['localhost'], cert: leaf.chain, key: leaf.key }] });
    try {
      const url = `https://localhost:${nginx.port('edge')}/`;
      // The daemon trusts the inspecting CA (Node through NODE_EXTRA_CA_CERTS, curl and OpenSSL through SSL_CERT_FILE); the operator's shell does not.
      await writeService(world, { env: { HOME: world, PATH: '/usr/bin:/bin', NODE_EXTRA_CA_CERTS: pki.caCert, SSL_CERT_FILE: pki.caCert, OPENCLAW_LAUNCHD_LABEL: 'ai.openclaw.gateway' } });
      const env = cliEnv(world);
      const shell = await run('curl', ['-sS', '-v', '-o', '/dev/null', url], { env }).then(() => null, (e: { code: number; stderr: string }) => e);
      assert.ok(shell, 'the shell must not trust the inspecting CA');
      assert.equal(shell.code, 60, shell.stderr);
      const daemon = await runCli(['exec', '--', 'curl', '-sS', '-v', '-o', '/dev/null', url], env);
      assert.equal(daemon.code, 0, daemon.stderr);
      assert.match(daemon.stderr, /issuer: CN=Corp Inspection CA/);
      assert.match(daemon.stderr, /SSL certificate verify ok/);
      assert.match(await readFile(nginx.accessLog, 'utf8'), /"GET \/ HTTP\/1\.1" 200/);
    } finally {
      await nginx.stop();
    }
  });
});
