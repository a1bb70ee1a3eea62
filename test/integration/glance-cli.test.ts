import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListenersReport, StatusReport } from '../../main/contract.ts';
import { sampleHealth, type HealthSample } from '../../main/glance/health.ts';
import { startChrony } from '../peers/chrony.ts';
import { NODE24, openclawEntry, QUIET_CONFIG, startGateway, writeOpenclawConfig } from '../peers/openclaw.ts';
import { freePort, Peer } from '../peers/peer.ts';
import { cliEnv, makeHome, runCli, writeService } from '../helpers/world.ts';

describe('clawbar status, listeners and clock against the real gateway', { timeout: 300_000 }, () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let chrony: Awaited<ReturnType<typeof startChrony>>;
  const stops: Array<() => Promise<unknown>> = [];

  before(async () => {
    ({ home, cleanup } = await makeHome());
    await mkdir(join(home, 'chrony'), { recursive: true });
    chrony = await startChrony({ dir: join(home, 'chrony') });
    stops.push(() => chrony.stop());
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await cleanup();
  });

  /** A world whose service points at `port`, with clawbar settings using the loopback chrony. */
  async function world(name: string, port: number, auth: 'none' | 'token'): Promise<Record<string, string>> {
    const dir = join(home, name);
    const svc = await writeService(dir, { port, nodePath: NODE24, env: { HOME: dir, OPENCLAW_GATEWAY_PORT: String(port) } });
    await writeFile(join(svc.stateDir, 'openclaw.json'), JSON.stringify({ gateway: { port, auth: { mode: auth } } }));
    const config = join(dir, '.config', 'clawbar');
    await mkdir(config, { recursive: true });
    await writeFile(join(config, 'config.json'), JSON.stringify({ ntpServer: `127.0.0.1:${chrony.port}` }));
    return cliEnv(dir);
  }

  it('loopback gateway: healthy, its two listeners loopback, clock ok against chrony', async () => {
    const gw = await startGateway({ home: join(home, 'gw-loopback'), auth: 'token', token: 'tok-loopback-123456', config: QUIET_CONFIG });
    stops.push(() => gw.stop());
    const run = await runCli(['status', '--json'], await world('loopback', gw.port, 'token'));
    const report = StatusReport.parse(JSON.parse(run.stdout));
    assert.equal(report.gateway.state, 'ok', JSON.stringify(report.gateway));
    assert.equal(report.gateway.version, '2026.9.6');
    assert.ok(report.gateway.latencyMs! > 0);
    const mine = report.listeners.items.filter((l) => l.port === gw.port);
    assert.deepEqual(mine.map((l) => [l.address, l.exposure, l.severity]).sort(), [['127.0.0.1', 'loopback', 'ok'], ['::1', 'loopback', 'ok']]);
    assert.match(mine[0]!.process, /^openclaw/);
    assert.equal(report.clock.method, 'sntp');
    assert.equal(report.clock.state, 'ok');
    assert.ok(Math.abs(report.clock.offsetMs!) < 50);
    assert.ok(!report.findings.some((f) => f.id.startsWith('gateway.') || f.id === 'listeners.gateway-exposed'), JSON.stringify(report.findings));
    // gateway.* includes gateway.ipv6-loopback: the gateway answers on [::1] as well.
    assert.equal(run.code, report.overall === 'ok' ? 0 : report.overall === 'warn' ? 1 : 2);
    const human = await runCli(['status'], await world('loopback-human', gw.port, 'token'));
    assert.match(human.stdout, /gateway\s+ok/);
    assert.ok(human.stdout.split('\n').length < 40, 'fits one screen');
    await gw.stop();

    const down = StatusReport.parse(JSON.parse((await runCli(['status', '--json'], await world('stopped', gw.port, 'token'))).stdout));
    assert.equal(down.gateway.state, 'down');
    assert.equal(down.gateway.consecutiveFailures, 2);
    assert.equal(down.overall, 'critical');
    assert.ok(down.findings.some((f) => f.id === 'gateway.down'));
  });

  it('--bind lan with token auth: critical exposure naming the gateway port', async () => {
    const gw = await startGateway({ home: join(home, 'gw-lan'), bind: 'lan', auth: 'token', token: 'tok-lan-1234567890', config: QUIET_CONFIG });
    stops.push(() => gw.stop());
    const env = await world('lan', gw.port, 'token');
    const run = await runCli(['listeners', '--json'], env);
    const report = ListenersReport.parse(JSON.parse(run.stdout));
    const exposed = report.items.filter((l) => l.port === gw.port);
    assert.deepEqual(exposed.map((l) => [l.address, l.exposure, l.severity]), [['*', 'wildcard', 'critical']]);
    assert.ok(report.findings.some((f) => f.id === 'listeners.gateway-exposed' && f.title.includes(String(gw.port))));
    assert.equal(run.code, 2);
    assert.ok(!run.stdout.includes('tok-lan-1234567890'));
    await gw.stop();
  });

  it('saves a baseline and reports a new wildcard listener since then', async () => {
    const env = await world('baseline', 18789, 'token');
    assert.equal((await runCli(['listeners', '--save-baseline', '--json'], env)).stdout.length > 0, true);
    const extra = (await import('node:net')).createServer();
    await new Promise<void>((resolve) => extra.listen(0, '0.0.0.0', resolve));
    stops.push(() => new Promise((resolve) => extra.close(resolve)));
    const port = (extra.address() as { port: number }).port;
    const report = ListenersReport.parse(JSON.parse((await runCli(['listeners', '--json'], env)).stdout));
    const change = report.baseline.changes.find((c) => c.port === port);
    assert.equal(change?.change, 'new');
    assert.ok(report.findings.some((f) => f.id === 'listeners.new' && f.title.includes(String(port))));
  });

  it('shows /readyz 503 with its failing list while the gateway starts', async () => {
    const gwHome = join(home, 'gw-starting');
    await writeOpenclawConfig(gwHome, {});
    const port = await freePort();
    const peer = new Peer({ name: 'openclaw-starting', command: NODE24, args: [openclawEntry(), 'gateway', 'run', '--allow-unconfigured', '--bind', 'loopback', '--auth', 'none', '--port', String(port)], cwd: gwHome, env: { HOME: gwHome, PATH: `${join(NODE24, '..')}:/usr/bin:/bin`, TMPDIR: '/tmp' } });
    await peer.start();
    stops.push(() => peer.stop());
    const seen: HealthSample[] = [];
    await peer.ready(async () => {
      const sample = await sampleHealth(`http://127.0.0.1:${port}`, 2_000);
      if (sample.status !== null) seen.push(sample);
      return sample.ready?.ready === true;
    }, 60_000);
    const starting = seen.find((s) => s.ready && !s.ready.ready);
    assert.ok(starting, `no not-ready answer seen among ${seen.length} answers`);
    assert.ok(starting.ready!.failing.length > 0);
    await peer.stop();
  });
});
