import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { EnvReport } from '../../main/contract.ts';
import { NODE24, openclawEntry, QUIET_CONFIG } from '../peers/openclaw.ts';
import { installWithOpenclaw } from '../peers/openclaw-install.ts';
import { startJob } from '../peers/launchd-standin.ts';
import { freePort } from '../peers/peer.ts';
import type { Peer } from '../peers/peer.ts';
import { cliEnv, makeHome, runCli, writeService } from '../helpers/world.ts';

const run = promisify(execFile);

/** TCP listeners of one pid, from the real lsof. */
async function listenersOf(pid: number): Promise<string[]> {
  const { stdout } = await run('lsof', ['-nP', '-a', '-p', String(pid), '-iTCP', '-sTCP:LISTEN', '-Fn']).catch((e) => ({ stdout: (e as { stdout: string }).stdout ?? '' }));
  return stdout.split('\n').filter((line) => line.startsWith('n')).map((line) => line.slice(1)).sort();
}

async function childPids(pid: number): Promise<number[]> {
  const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(pid)]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
}

describe('clawbar env against the real OpenClaw gateway started from its service files', { timeout: 180_000 }, () => {
  let home: string;
  let cleanup: () => Promise<void>;
  const peers: Peer[] = [];
  before(async () => ({ home, cleanup } = await makeHome()));
  after(async () => {
    for (const peer of peers) await peer.stop();
    await cleanup();
  });

  for (const source of ['config', 'environment'] as const) {
    it(`the port clawbar derives from the ${source} is the one the gateway listens on`, async () => {
      const world = join(home, source);
      const configPort = await freePort();
      const envPort = await freePort();
      const expected = source === 'config' ? configPort : envPort;
      const env: Record<string, string> = { HOME: world, PATH: `${join(NODE24, '..')}:/usr/bin:/bin`, OPENCLAW_LAUNCHD_LABEL: 'ai.openclaw.gateway' };
      if (source === 'environment') env.OPENCLAW_GATEWAY_PORT = String(envPort);
      const svc = await writeService(world, { nodePath: NODE24, entry: openclawEntry(), noPortArg: true, extraArgs: ['run', '--allow-unconfigured', '--auth', 'none'], env });
      const configText = `// JSON5: comments and trailing commas\n{\n  models: { catalogRefresh: { enabled: false } },\n  update: { checkOnStart: false },\n  proxy: { proxyUrl: 'http://127.0.0.1:9' },\n  gateway: { port: ${configPort}, bind: 'loopback', },\n}\n`;
      await writeFile(join(svc.stateDir, 'openclaw.json'), configText);
      const derived = EnvReport.parse(JSON.parse((await runCli(['env', '--plist', svc.plistPath, '--json'], cliEnv(world))).stdout));
      assert.equal(derived.gateway.port, expected);
      assert.equal(derived.gateway.portSource, source);
      assert.equal(derived.gateway.configFound, true);

      const job = await startJob(svc.plistPath, world);
      peers.push(job);
      await job.ready(async () => (await fetch(derived.gateway.readyUrl, { signal: AbortSignal.timeout(2_000) })).ok, 90_000);
      const health = await fetch(derived.gateway.healthUrl);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { ok: true, status: 'live' });
      // The wrapper execs node, so the listening pid is the job's own pid (or its child on a shell that forks).
      const pids = [job.pid!, ...(await childPids(job.pid!))];
      const sockets = (await Promise.all(pids.map(listenersOf))).flat();
      assert.ok(sockets.includes(`127.0.0.1:${expected}`), sockets.join());
      assert.ok(!sockets.some((s) => s.endsWith(`:${source === 'config' ? envPort : configPort}`)));
      await job.stop();
    });
  }

  it("reads service files written by OpenClaw's own installer, matches /bin/sh running them, and finds the real gateway", async () => {
    const world = join(home, 'installer');
    const port = await freePort();
    const svc = await installWithOpenclaw(world, { profile: 'work', port, env: { OPENCLAW_PROXY_URL: 'http://ops:pr0xy-Secret-9@127.0.0.1:9' } });
    // Explicit loopback: in a container OpenClaw's default bind is auto (0.0.0.0), which needs auth.
    await writeFile(join(svc.stateDir, 'openclaw.json'), JSON.stringify({ ...QUIET_CONFIG, gateway: { bind: 'loopback', auth: { mode: 'none' } } }));
    const cli = await runCli(['env', '--json'], cliEnv(world));
    const report = EnvReport.parse(JSON.parse(cli.stdout));
    assert.equal(report.service?.plistPath, svc.plistPath);
    assert.equal(report.service?.label, 'ai.openclaw.work');
    assert.equal(report.service?.layout, 'env-wrapper');
    assert.equal(report.service?.nodePath, NODE24);
    assert.equal(report.gateway.port, port);
    assert.equal(report.gateway.profile, 'work');
    assert.equal(report.gateway.configPath, join(svc.stateDir, 'openclaw.json'));
    assert.equal(report.gateway.configFound, true);
    assert.ok(!cli.stdout.includes('pr0xy-Secret-9'));
    assert.ok(report.environment.redactedKeys.includes('OPENCLAW_PROXY_URL'));
    assert.ok(!report.findings.some((f) => f.id.startsWith('envfile.') || f.id.startsWith('wrapper.') || f.id === 'plist.invalid'), JSON.stringify(report.findings));

    // The real wrapper, run by /bin/sh from launchd's base environment, exports exactly what clawbar computed.
    const base = Object.fromEntries(report.environment.variables.filter((v) => v.source === 'launchd').map((v) => [v.name, v.value]));
    const { stdout } = await run('/bin/sh', [svc.wrapperPath, svc.envFilePath, '/usr/bin/env', '-0'], { env: base, cwd: report.service!.workingDirectory });
    const shell = Object.fromEntries(stdout.split('\0').filter(Boolean).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
    const ours = Object.fromEntries(report.environment.variables.filter((v) => !v.redacted).map((v) => [v.name, v.value]));
    for (const name of report.environment.redactedKeys) delete shell[name];
    assert.deepEqual(ours, shell);

    const job = await startJob(svc.plistPath, world);
    peers.push(job);
    await job.ready(async () => (await fetch(report.gateway.readyUrl, { signal: AbortSignal.timeout(2_000) })).ok, 90_000);
    assert.equal((await fetch(report.gateway.healthUrl)).status, 200);
    await job.stop();
  });
});
