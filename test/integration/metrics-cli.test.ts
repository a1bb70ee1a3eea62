import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProbeReport, StatusReport } from '../../main/contract.ts';
import { scanListeners } from '../../main/glance/listeners.ts';
import { execCommand } from '../../main/system/exec.ts';
import { startMetricsServer } from '../../main/report/metrics-server.ts';
import { startNginx } from '../peers/nginx.ts';
import { NODE24, QUIET_CONFIG, startGateway, type RunningGateway } from '../peers/openclaw.ts';
import { waitFor } from '../peers/peer.ts';
import { makePki } from '../peers/pki.ts';
import { startPrometheus } from '../peers/prometheus.ts';
import { startSntpServer } from '../peers/sntp-server.ts';
import { promtool } from '../helpers/promtool.ts';
import { cliEnv, makeHome, runCli, subdir, writeService } from '../helpers/world.ts';

const API_KEY = 'sk-proj-SEEDEDmetricsSECRET0123456789';
const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('clawbar metrics against the real gateway, promtool and Prometheus', { timeout: 240_000 }, () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let world: string;
  let env: Record<string, string>;
  let gateway: RunningGateway;
  let port: number;
  let badPort: number;
  let plist: string;
  const stops: Array<() => Promise<unknown>> = [];
  const defaultTextfile = () => join(world, '.local', 'state', 'clawbar', 'metrics', 'clawbar.prom');

  before(async () => {
    ({ home: root, cleanup } = await makeHome());
    const sntp = await startSntpServer({ offsetMs: 250 });
    stops.push(() => sntp.stop());
    const pki = await makePki(await subdir(root, 'pki'));
    const good = await pki.issue('good', { sans: ['api.corp.test'] });
    const other = await pki.issue('other', { sans: ['other.corp.test'] });
    const nginx = await startNginx({ dir: await subdir(root, 'nginx'), vhosts: [
      { name: 'valid', serverNames: ['api.corp.test'], cert: good.chain, key: good.key },
      { name: 'wrong-name', serverNames: ['api.corp.test'], cert: other.chain, key: other.key },
    ] });
    stops.push(() => nginx.stop());
    port = nginx.port('valid');
    badPort = nginx.port('wrong-name');
    gateway = await startGateway({ home: await subdir(root, 'gateway'), config: QUIET_CONFIG });
    stops.push(() => gateway.stop());
    world = await subdir(root, 'world');
    const svc = await writeService(world, { nodePath: NODE24, port: gateway.port, env: { HOME: world, PATH: '/usr/bin:/bin', OPENCLAW_GATEWAY_PORT: String(gateway.port), NODE_EXTRA_CA_CERTS: pki.caCert, OPENAI_API_KEY: API_KEY } });
    plist = svc.plistPath;
    await writeFile(join(svc.stateDir, 'openclaw.json'), JSON.stringify({ gateway: { port: gateway.port, auth: { mode: 'none' } }, models: QUIET_CONFIG.models, update: QUIET_CONFIG.update }));
    await writeFile(join(await subdir(world, '.config/clawbar'), 'config.json'), JSON.stringify({ ntpServer: `127.0.0.1:${sntp.port}` }));
    env = cliEnv(world);
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await cleanup();
  });

  it('writes the textfile atomically where node_exporter can read it, and promtool check metrics passes it clean', async () => {
    const probe = await runCli(['probe', '--plist', plist, '--json', '--timeout', '5000', '--target', `https://api.corp.test:${port}/`, '--target', `https://api.corp.test:${badPort}/`,
      '--resolve', `api.corp.test:${port}:127.0.0.1`, '--resolve', `api.corp.test:${badPort}:127.0.0.1`], env);
    assert.deepEqual(ProbeReport.parse(JSON.parse(probe.stdout)).results.map((r) => r.layer), [null, 'tls-name']);

    const run = await runCli(['metrics'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout + run.stderr, '');
    const info = await stat(defaultTextfile());
    assert.equal(info.mode & 0o777, 0o644);
    assert.deepEqual((await readdir(join(defaultTextfile(), '..'))).filter((n) => !n.endsWith('.prom')), [], 'no temp file left');
    const text = await readFile(defaultTextfile(), 'utf8');
    const check = await promtool(['check', 'metrics'], text);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.equal(check.stdout + check.stderr, '');

    assert.equal(value(text, 'clawbar_gateway_up'), 1);
    assert.equal(value(text, 'clawbar_gateway_health_state{state="ok"}'), 1);
    assert.ok(value(text, 'clawbar_gateway_latency_seconds')! > 0);
    assert.ok(Math.abs(value(text, 'clawbar_clock_offset_seconds')! - 0.25) < 0.05, text);
    assert.equal(value(text, 'clawbar_gateway_exposed'), 0);
    assert.ok(value(text, 'clawbar_listeners{exposure="loopback"}')! >= 2, 'the gateway on 127.0.0.1 and ::1');
    assert.equal(value(text, `clawbar_probe_success{target="api.corp.test:${port}",kind="custom",layer="none"}`), 1);
    assert.equal(value(text, `clawbar_probe_success{target="api.corp.test:${badPort}",kind="custom",layer="tls-name"}`), 0);
    assert.equal(value(text, 'clawbar_probe_failed_targets{layer="tls-name"}'), 1);
    assert.ok(!text.includes(API_KEY));
  });

  it('--out - prints, --out FILE writes there, the metricsTextfilePath setting moves the default', async () => {
    const printed = await runCli(['metrics', '--out', '-'], env);
    assert.equal(printed.code, 0);
    assert.match(printed.stdout, /^# HELP clawbar_build_info [^\n]+\n[\s\S]*# EOF\n$/);
    const out = join(root, 'explicit.prom');
    assert.equal((await runCli(['metrics', '--out', out], env)).code, 0);
    assert.match(await readFile(out, 'utf8'), /clawbar_gateway_up 1/);
    const configDir = await subdir(root, 'other-config');
    const configured = join(root, 'textfile-dir', 'node.prom');
    const settings = JSON.parse(await readFile(join(world, '.config', 'clawbar', 'config.json'), 'utf8')) as Record<string, unknown>;
    await mkdir(join(configDir, 'clawbar'), { recursive: true });
    await writeFile(join(configDir, 'clawbar', 'config.json'), JSON.stringify({ ...settings, metricsTextfilePath: configured }));
    assert.equal((await runCli(['metrics'], { ...env, XDG_CONFIG_HOME: configDir })).code, 0);
    assert.match(await readFile(configured, 'utf8'), /clawbar_gateway_up 1/);
  });

  it("a real Prometheus scrapes the app's 127.0.0.1 endpoint, and that listener passes clawbar's own listener audit", async () => {
    const text = await readFile(defaultTextfile(), 'utf8');
    const server = await startMetricsServer({ port: 0, current: () => text });
    stops.push(() => server.close());
    const audit = await scanListeners({ exec: execCommand, gatewayPort: gateway.port, authMode: 'none', exceptions: [] });
    const mine = audit.items.filter((l) => l.pid === process.pid && l.port === server.port);
    assert.deepEqual(mine.map((l) => [l.address, l.exposure, l.severity]), [['127.0.0.1', 'loopback', 'ok']]);

    const prometheus = await startPrometheus({ dir: await subdir(root, 'prometheus'), targets: [`127.0.0.1:${server.port}`] });
    stops.push(() => prometheus.stop());
    await waitFor('a scrape of the clawbar endpoint', async () => (await prometheus.query('clawbar_gateway_up')).length > 0, 30_000, 250);
    const [target] = await prometheus.targets();
    assert.equal(target?.health, 'up', target?.lastError);
    assert.equal((await prometheus.query('clawbar_gateway_up'))[0]!.value[1], '1');
    const failing = await prometheus.query('clawbar_probe_success == 0');
    assert.deepEqual(failing.map((s) => s.metric.layer), ['tls-name']);
    // Prometheus asks for OpenMetrics first; the endpoint answers with it, so the scrape above went through Prometheus's OpenMetrics parser.
    const negotiated = await fetch(`http://127.0.0.1:${server.port}/metrics`, { headers: { accept: 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' } });
    assert.equal(negotiated.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    await negotiated.body?.cancel();
    await prometheus.stop();
    await server.close();
  });

  it('status and metrics share the remembered states: a steady state logs nothing, a change logs one JSON line', async () => {
    const ok = StatusReport.parse(JSON.parse((await runCli(['status', '--json'], env)).stdout));
    assert.equal(ok.gateway.state, 'ok');
    await gateway.stop();
    assert.equal((await runCli(['metrics'], env)).code, 0, 'exit 0 even with the gateway down: the state is in the metrics');
    assert.equal(value(await readFile(defaultTextfile(), 'utf8'), 'clawbar_gateway_up'), 0);
    const lines = (await readFile(join(world, '.local', 'state', 'clawbar', 'logs', 'status.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const gatewayLines = lines.filter((l) => l.check === 'gateway');
    assert.deepEqual(gatewayLines.map((l) => [l.from, l.to, l.source]), [[null, 'ok', 'metrics'], ['ok', 'down', 'metrics']]);
    assert.ok(gatewayLines.every((l) => typeof l.traceId === 'string' && typeof l.time === 'string'));
  });

  it('bad usage is 64, an unwritable --out or a bad textfile setting is 65, with no partial file', async () => {
    for (const args of [['metrics', '--bogus'], ['metrics', 'extra'], ['metrics', '--json']]) assert.equal((await runCli(args, env)).code, 64, args.join(' '));
    const missing = join(root, 'nope', 'x.prom');
    const run = await runCli(['metrics', '--out', missing], env);
    assert.equal(run.code, 65);
    assert.equal(run.stderr, `clawbar: cannot write ${missing}: its folder does not exist\n`);
    const configDir = await subdir(root, 'bad-config');
    await mkdir(join(configDir, 'clawbar'), { recursive: true });
    await writeFile(join(configDir, 'clawbar', 'config.json'), JSON.stringify({ metricsTextfilePath: 'relative/clawbar.prom' }));
    const bad = await runCli(['metrics'], { ...env, XDG_CONFIG_HOME: configDir });
    assert.equal(bad.code, 65);
    assert.match(bad.stderr, /^clawbar: .*config\.json: metricsTextfilePath: expected an absolute path ending in \.prom\n$/);
  });
});
