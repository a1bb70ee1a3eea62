import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StatusReport } from '../../main/contract.ts';
import { installLaunchctlStandin, type LaunchctlStandin } from '../peers/launchd-standin.ts';
import { NODE24, openclawEntry, QUIET_CONFIG, startGateway, writeOpenclawConfig, type RunningGateway } from '../peers/openclaw.ts';
import { freePort, waitFor } from '../peers/peer.ts';
import { cliEnv, FIXTURES, makeHome, runCli, writeService } from '../helpers/world.ts';

describe('why is it down: the verdict in clawbar status', { timeout: 420_000 }, () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let gw: RunningGateway;
  let standin: LaunchctlStandin;
  const stops: Array<() => Promise<unknown>> = [];
  const timings: string[] = [];

  before(async () => {
    ({ home, cleanup } = await makeHome('clawbar-down-'));
    gw = await startGateway({ home: join(home, 'foreground'), config: QUIET_CONFIG });
    stops.push(() => gw.stop());
    timings.push(`gateway ready in ${gw.readyMs} ms`);
    standin = await installLaunchctlStandin(join(home, 'launchd'));
    stops.push(() => standin.stopAll());
  });
  after(async () => {
    if (gw.peer.pid) { try { process.kill(gw.peer.pid, 'SIGCONT'); } catch { /* gone */ } }
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await cleanup();
    process.stdout.write(`# down timings: ${timings.join('; ')}\n`);
  });

  async function status(env: Record<string, string>, label: string) {
    const started = Date.now();
    const run = await runCli(['status', '--json'], env, { timeoutMs: 120_000 });
    timings.push(`${label} ${Date.now() - started} ms`);
    assert.ok(run.stdout.startsWith('{'), run.stderr);
    return { run, report: StatusReport.parse(JSON.parse(run.stdout)) };
  }

  it('a second real gateway holds the port: the service job cannot bind it, and the verdict names the holder', async () => {
    const dir = join(home, 'second');
    await writeOpenclawConfig(dir, {});
    const svc = await writeService(dir, { port: gw.port, nodePath: NODE24, entry: openclawEntry(), extraArgs: ['--allow-unconfigured', '--bind', 'loopback', '--auth', 'none'] });
    await standin.bootstrap(svc.plistPath, dir);
    const target = `gui/${process.getuid?.() ?? 0}/${svc.label}`;
    // The service's own gateway starts, meets EADDRINUSE and stops; launchd then shows the job loaded but not running.
    await waitFor('the service gateway to give up on the port', async () => (await standin.pidOf(target)) === null, 120_000, 1_000);
    const { report, run } = await status({ ...cliEnv(dir), ...standin.env }, 'status (port held)');
    assert.equal(report.gateway.state, 'ok', 'the foreground gateway answers');
    assert.equal(report.verdict?.cause, 'port-held', JSON.stringify(report.verdict));
    assert.match(report.verdict!.line, new RegExp(`Port ${gw.port} is held by another OpenClaw gateway \\(openclaw-[a-z]*, pid ${gw.peer.pid}`));
    const finding = report.findings.find((f) => f.id === 'gateway.service-down');
    assert.equal(finding?.severity, 'warn');
    assert.ok(run.code >= 1);
  });

  it('a gateway stopped with SIGSTOP is wedged: listening, silent, its state shown', async () => {
    const dir = join(home, 'wedged');
    await writeService(dir, { port: gw.port, nodePath: NODE24, env: { HOME: dir, OPENCLAW_GATEWAY_PORT: String(gw.port) } });
    process.kill(gw.peer.pid!, 'SIGSTOP');
    try {
      const { report, run } = await status(cliEnv(dir), 'status (wedged)');
      assert.equal(report.gateway.state, 'down');
      assert.equal(report.verdict?.cause, 'wedged', JSON.stringify(report.verdict));
      assert.match(report.verdict!.line, new RegExp(`listens on ${gw.port} but does not answer /health within 1 s \\(pid ${gw.peer.pid}, stopped, CPU`));
      assert.equal(report.verdict!.remedy.command, `kill -CONT ${gw.peer.pid}`);
      const down = report.findings.find((f) => f.id === 'gateway.down')!;
      assert.equal(down.title, report.verdict!.line);
      const human = await runCli(['status'], cliEnv(dir), { timeoutMs: 120_000 });
      // The human status leads with the same verdict (its CPU figure may have moved between the two looks).
      assert.match(human.stdout, new RegExp(`CRIT  The gateway listens on ${gw.port} but does not answer /health within 1 s`), human.stdout);
      const markdown = await runCli(['report'], cliEnv(dir), { timeoutMs: 120_000 });
      assert.match(markdown.stdout, /## Why the gateway is down\n\n\*\*The gateway listens on/);
      assert.equal(run.code, 2);
    } finally {
      process.kill(gw.peer.pid!, 'SIGCONT');
    }
  });

  it('recorded launchctl print of a spawn-failed job and pmset -g: the verdict is the code-signing refusal, sleep is evidence', async () => {
    const dir = join(home, 'spawn-failed');
    const bin = join(dir, 'bin');
    await mkdir(bin, { recursive: true });
    const macos = join(FIXTURES, 'macos');
    await writeFile(join(bin, 'launchctl'), `#!/bin/sh\n[ "$1" = print ] && exec cat '${macos}/launchctl-print-gui-spawn-failed-codesigning-1.txt'\nexit 0\n`, { mode: 0o755 });
    await writeFile(join(bin, 'pmset'), `#!/bin/sh\n[ "$1" = -g ] && exec cat '${macos}/pmset-g-sleep-powernap-1.txt'\nexit 1\n`, { mode: 0o755 });
    const port = await freePort();
    await writeService(dir, { port, nodePath: NODE24, env: { HOME: dir, OPENCLAW_GATEWAY_PORT: String(port) } });
    const env = cliEnv(dir);
    const { report } = await status({ ...env, PATH: `${bin}:${env.PATH}` }, 'status (spawn failed)');
    assert.equal(report.verdict?.cause, 'spawn-failed', JSON.stringify(report.verdict));
    assert.match(report.verdict!.line, /spawn failed \(OS_REASON_CODESIGNING\)/);
    assert.ok(report.verdict!.evidence.some((e) => /pmset -g: system sleep after 1 min idle .*Power Nap on/.test(e)), report.verdict!.evidence.join('\n'));
    assert.ok(report.verdict!.evidence.includes(`port ${port}: nobody listens`));
    const metrics = await runCli(['metrics', '--out', '-'], { ...env, PATH: `${bin}:${env.PATH}` }, { timeoutMs: 120_000 });
    assert.match(metrics.stdout, /^clawbar_gateway_down_cause\{cause="spawn-failed"\} 1$/m);
  });
});
