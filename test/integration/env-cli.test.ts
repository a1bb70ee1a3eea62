import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EnvReport } from '../../main/contract.ts';
import { OPENCLAW_ENV_HEADER } from '../../main/service/env-file.ts';
import { cliEnv, makeHome, runCli, writeService } from '../helpers/world.ts';

const SECRETS = {
  token: 'gw-token-7f3a9c2e5b1d',
  apiKey: 'sk-ant-api03-SEEDEDsecretVALUEforTESTS123',
  proxyPassword: 'pr0xy-Pa55-seeded',
};

async function snapshot(dir: string): Promise<string> {
  const entries: string[] = [];
  const walk = async (d: string) => {
    for (const name of (await readdir(d)).sort()) {
      const p = join(d, name);
      const s = await stat(p);
      entries.push(`${p} ${s.mode} ${s.size} ${s.mtimeMs}`);
      if (s.isDirectory()) await walk(p);
    }
  };
  await walk(dir);
  return entries.join('\n');
}

describe('clawbar env (CLI, temporary HOME)', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ home, cleanup } = await makeHome()));
  after(() => cleanup());

  it('prints the effective environment with sources, the derived gateway and redactions', async () => {
    const svc = await writeService(home, {
      port: 19001,
      nodePath: process.execPath,
      inline: { INLINE_ONLY: 'from plist', OPENCLAW_GATEWAY_PORT: '1111', HTTPS_PROXY: `http://ops:${SECRETS.proxyPassword}@127.0.0.1:3128` },
      env: { HOME: home, OPENCLAW_GATEWAY_PORT: '19001', ANTHROPIC_API_KEY: SECRETS.apiKey, NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem', PATH: '/opt/homebrew/bin:/usr/bin:/bin' },
    });
    await writeFile(join(svc.stateDir, 'openclaw.json'), `// JSON5 with comments\n{ gateway: { port: 19999, bind: 'loopback', auth: { mode: 'token', token: '${SECRETS.token}' }, }, }\n`);
    const run = await runCli(['env', '--plist', svc.plistPath, '--json'], cliEnv(home));
    assert.equal(run.stderr, '');
    const report = EnvReport.parse(JSON.parse(run.stdout));
    const byName = Object.fromEntries(report.environment.variables.map((v) => [v.name, v]));
    assert.equal(byName.INLINE_ONLY?.source, 'inline');
    assert.equal(byName.OPENCLAW_GATEWAY_PORT?.source, 'file');
    assert.deepEqual(byName.OPENCLAW_GATEWAY_PORT?.overrides, ['inline']);
    assert.equal(byName.OPENCLAW_GATEWAY_PORT?.value, '19001');
    assert.equal(byName.XPC_SERVICE_NAME?.source, 'launchd');
    assert.equal(byName.PATH?.value, '/opt/homebrew/bin:/usr/bin:/bin');
    assert.equal(byName.PWD?.value, svc.stateDir);
    assert.equal(report.service?.layout, 'env-wrapper');
    assert.equal(report.service?.nodePath, process.execPath);
    assert.equal(report.service?.nodeExists, true);
    assert.equal(report.gateway.port, 19001);
    assert.equal(report.gateway.portSource, 'argument');
    assert.equal(report.gateway.healthUrl, 'http://127.0.0.1:19001/health');
    assert.equal(report.gateway.configFound, true);
    assert.equal(report.launchd.status, 'unavailable');
    assert.ok(report.environment.redactedKeys.includes('ANTHROPIC_API_KEY'));
    assert.ok(report.environment.redactedKeys.includes('HTTPS_PROXY'));
    for (const secret of Object.values(SECRETS)) assert.ok(!run.stdout.includes(secret), `secret leaked: ${secret}`);
    const ids = report.findings.map((f) => f.id);
    assert.ok(ids.includes('ca.extra-certs-missing'));
    assert.ok(ids.includes('proxy.env-embedded'));
    assert.ok(ids.includes('proxy.no-loopback-bypass'));
    assert.equal(report.overall, 'critical');
    assert.equal(run.code, 2);
  });

  it('human output shows the same facts without secrets', async () => {
    const svc = await writeService(join(home, 'human'), { env: { HOME: home, OPENCLAW_GATEWAY_TOKEN: SECRETS.token } });
    const run = await runCli(['env', '--plist', svc.plistPath], cliEnv(home));
    assert.match(run.stdout, /Effective environment/);
    assert.match(run.stdout, /OPENCLAW_GATEWAY_TOKEN\s+\[redacted\]\s+file/);
    assert.ok(!run.stdout.includes(SECRETS.token));
  });

  it('discovers the gateway LaunchAgent under HOME and says why', async () => {
    const world = join(home, 'discover');
    await mkdir(join(world, 'Library', 'LaunchAgents'), { recursive: true });
    await writeFile(join(world, 'Library', 'LaunchAgents', 'com.example.other.plist'), '<?xml version="1.0"?><plist version="1.0"><dict><key>Label</key><string>com.example.other</string><key>ProgramArguments</key><array><string>/bin/true</string></array></dict></plist>');
    const svc = await writeService(world, { binary: true });
    const run = await runCli(['env', '--json'], cliEnv(world));
    const report = EnvReport.parse(JSON.parse(run.stdout));
    assert.equal(report.service?.plistPath, svc.plistPath);
    assert.equal(report.service?.format, 'binary');
    assert.ok(report.service?.discovery.chosenBecause.some((reason) => /ai\.openclaw\.gateway/.test(reason)));
    assert.equal(report.service?.discovery.candidates.length, 1);
  });

  it('a wrong env file header is a critical finding with exit 2, everything else still reported', async () => {
    const svc = await writeService(join(home, 'header'), { envFileText: `# edited by hand\nexport OPENCLAW_GATEWAY_PORT='19002'\n` });
    const run = await runCli(['env', '--plist', svc.plistPath, '--json'], cliEnv(home));
    assert.equal(run.code, 2);
    const report = EnvReport.parse(JSON.parse(run.stdout));
    const finding = report.findings.find((f) => f.id === 'envfile.bad-header');
    assert.ok(finding);
    assert.match(finding.title, /exit 78/);
    assert.equal(report.gateway.port, 18789);
    assert.equal(report.gateway.portSource, 'argument');
  });

  it('an env file with broken quoting is critical; a missing wrapper and node are critical', async () => {
    const svc = await writeService(join(home, 'quote'), { envFileText: `${OPENCLAW_ENV_HEADER}\nexport A='open\n`, nodePath: '/nonexistent/node' });
    await chmod(svc.wrapperPath, 0o700);
    await writeFile(svc.wrapperPath, '#!/bin/sh\nexec "$@"\n');
    const run = await runCli(['env', '--plist', svc.plistPath, '--json'], cliEnv(home));
    const ids = EnvReport.parse(JSON.parse(run.stdout)).findings.map((f) => f.id);
    assert.ok(ids.includes('envfile.broken'), ids.join());
    assert.ok(ids.includes('node.missing'));
    assert.ok(ids.includes('wrapper.modified'));
    assert.equal(run.code, 2);
  });

  it('secrets in a group/world-readable env file are critical', async () => {
    const svc = await writeService(join(home, 'mode'), { env: { HOME: home, OPENAI_API_KEY: SECRETS.apiKey } });
    await chmod(svc.envFilePath, 0o644);
    const run = await runCli(['env', '--plist', svc.plistPath, '--json'], cliEnv(home));
    assert.ok(EnvReport.parse(JSON.parse(run.stdout)).findings.some((f) => f.id === 'envfile.secrets-readable'));
  });

  const badInputs: Array<[string, string | Buffer]> = [
    ['truncated.plist', '<?xml version="1.0"?><plist version="1.0"><dict><key>Label</key>'],
    ['not-a-dict.plist', '<?xml version="1.0"?><plist version="1.0"><string>hello</string></plist>'],
    ['garbage.plist', Buffer.from('bplist00\u0000\u0001garbage-garbage-garbage-garbage')],
  ];
  for (const [name, content] of badInputs) {
    it(`${name}: exit 65, one clear line on stderr, no stack trace, nothing written`, async () => {
      const path = join(home, name);
      await writeFile(path, content);
      const before = await snapshot(home);
      const run = await runCli(['env', '--plist', path, '--json'], cliEnv(home));
      assert.equal(run.code, 65);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, new RegExp(`^clawbar: .*${name}`));
      assert.ok(!/\n\s+at /.test(run.stderr), run.stderr);
      assert.equal(run.stderr.trim().split('\n').length, 1);
      assert.equal(await snapshot(home), before);
    });
  }

  it('a missing --plist file and bad usage give 65 and 64', async () => {
    assert.equal((await runCli(['env', '--plist', join(home, 'nope.plist')], cliEnv(home))).code, 65);
    const usage = await runCli(['env', '--bogus'], cliEnv(home));
    assert.equal(usage.code, 64);
    assert.match(usage.stderr, /bogus/);
    assert.equal((await runCli(['frobnicate'], cliEnv(home))).code, 64);
  });

  it('a plist clawbar cannot read (another user running it) exits 65 with permission denied', { skip: process.getuid?.() !== 0 && 'needs root to switch user' }, async () => {
    const svc = await writeService(join(home, 'private'));
    await chmod(svc.plistPath, 0o600);
    await chmod(home, 0o755);
    const run = await runCli(['env', '--plist', svc.plistPath], cliEnv('/tmp'), { runAs: 'nobody' });
    assert.equal(run.code, 65, run.stderr);
    assert.match(run.stderr, /permission denied/);
    assert.ok((await readFile(svc.plistPath)).length > 0);
  });
});
