import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AllowlistExport, DiagnosticsReport, EgressReport, ProbeReport, StatusReport } from '../../main/contract.ts';
import { gatewayWorld, type GatewayWorld } from '../helpers/fix-world.ts';
import { promtool } from '../helpers/promtool.ts';
import { makeHome } from '../helpers/world.ts';
import { startNginx } from '../peers/nginx.ts';
import { QUIET_CONFIG } from '../peers/openclaw.ts';
import { startTinyproxy } from '../peers/tinyproxy.ts';
import { waitFor } from '../peers/peer.ts';

const PROXY_PASSWORD = 'Gw-pr0xy-Secret-5150';
/** A provider host that exists nowhere: the gateway reaches it only through the proxy, which refuses before resolving anything. */
const REMOTE = 'llm.example.invalid';
const model = { id: 'm1', name: 'M1', input: ['text'], contextWindow: 32000, maxTokens: 1000 };

/**
 * The real gateway, installed by OpenClaw's installer and started through the
 * launchctl stand-in, with its managed proxy at tinyproxy (which demands
 * credentials) and providers at nginx on loopback: what it logs and where it
 * connects, as clawbar reads them.
 */
describe("the real gateway's own errors and connections", { timeout: 600_000 }, () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let gw: GatewayWorld;
  let proxy: Awaited<ReturnType<typeof startTinyproxy>>;
  let nginx: Awaited<ReturnType<typeof startNginx>>;
  let logFile: string;
  /** nginx's upstream for the 'slow' edge: answers after a few seconds, so a connection through the proxy lasts long enough to be sampled. */
  const upstream = createServer((_req, res) => { setTimeout(() => { res.writeHead(404, { 'content-type': 'application/json' }); res.end('{"error":{"message":"not here"}}'); }, 6_000); });
  const config = (proxyUrl: string, extra: Record<string, unknown> = {}, edge = 'allowed') => ({
    gateway: { mode: 'local', bind: 'loopback', auth: { mode: 'none' }, http: { endpoints: { chatCompletions: { enabled: true } } } },
    logging: { file: logFile },
    models: {
      ...QUIET_CONFIG.models,
      providers: {
        edge: { baseUrl: `http://localhost:${nginx.port(edge)}/v1`, apiKey: 'sk-edge-0123456789', api: 'openai-completions', models: [model] },
        other: { baseUrl: `http://localhost:${nginx.port('unlisted')}/v1`, apiKey: 'sk-other-0123456789', api: 'openai-completions', models: [model] },
        remote: { baseUrl: `https://${REMOTE}/v1`, apiKey: 'sk-remote-0123456789', api: 'openai-completions', models: [model] },
      },
    },
    agents: { defaults: { model: { primary: 'remote/m1' } } },
    proxy: { proxyUrl },
    ...extra,
  });
  /**
   * One chat turn through the gateway's OpenAI-compatible endpoint. An agent
   * turn takes the gateway 15-20 s before it calls the provider on this
   * machine, and the gateway carries on after we stop waiting.
   */
  const chat = (modelRef: string) => fetch(`http://127.0.0.1:${gw.port}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-openclaw-model': modelRef },
    body: JSON.stringify({ model: 'openclaw', messages: [{ role: 'user', content: 'hi' }] }), signal: AbortSignal.timeout(90_000),
  }).then((r) => r.status, () => 0);
  /** Observes while the traffic runs; the provider connection then stays open (keep-alive) for a few samples. */
  const observeWhile = async (seconds: number, traffic: () => Promise<unknown>) => {
    const observing = gw.cli(['egress', 'observe', '--for', `${seconds}s`, '--interval', '1s', '--json']);
    await traffic();
    const run = await observing;
    assert.ok(run.stdout.startsWith('{'), `egress observe: exit ${run.code}: ${run.stderr}`);
    return { run, report: EgressReport.parse(JSON.parse(run.stdout)) };
  };

  before(async () => {
    ({ home, cleanup } = await makeHome());
    const dir = async (name: string) => { await mkdir(join(home, name), { recursive: true }); return join(home, name); };
    proxy = await startTinyproxy({ dir: await dir('proxy'), user: 'ops', password: PROXY_PASSWORD });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    nginx = await startNginx({ dir: await dir('nginx'), vhosts: [
      { name: 'allowed', serverNames: ['localhost'], listen: 'both' },
      { name: 'unlisted', serverNames: ['localhost'], listen: 'both' },
      { name: 'slow', serverNames: ['localhost'], proxyPass: `http://127.0.0.1:${(upstream.address() as { port: number }).port}` },
    ] });
    const world = join(home, 'world');
    logFile = join(world, 'logs', 'openclaw.log');
    gw = await gatewayWorld(world, { config: config(proxy.urlWithoutAuth) });
    await writeFile(join(world, '.config', 'clawbar', 'allowlist.yaml'), [
      'egress:',
      `  - { host: localhost, port: ${nginx.port('allowed')}, tls: false, owner: ml-platform, purpose: edge provider }`,
      '  - { host: hooks.slack.com, port: 443, owner: chatops }',
      '',
    ].join('\n'));
  });
  after(async () => {
    await gw?.standin.stopAll();
    await nginx?.stop();
    await proxy?.stop();
    upstream.close();
    await cleanup();
  });

  it("counts the proxy's refusals the gateway logs, per layer and host, in status, report and metrics; the probe names the layer", async () => {
    void chat('remote/m1');
    await waitFor('the refused provider call in the gateway log', async () => /\[model-fetch\] error provider=remote /.test(await readFile(logFile, 'utf8').catch(() => '')), 120_000, 1_000);
    const status = StatusReport.parse(JSON.parse((await gw.cli(['status', '--json'])).stdout));
    const finding = status.findings.find((f) => f.id === 'gateway-log.proxy');
    assert.ok(finding, JSON.stringify(status.findings.map((f) => f.id)));
    assert.match(finding.title, new RegExp(`The gateway logged \\d+ proxy errors? in the last hour \\(most for ${REMOTE.replaceAll('.', '\\.')}\\)`));
    assert.equal(finding.remedy?.command, `clawbar probe --target https://${REMOTE}/`);

    const report = DiagnosticsReport.parse(JSON.parse((await gw.cli(['report', '--json'])).stdout));
    assert.ok((report.gatewayLog?.totals.proxy ?? 0) >= 1);
    assert.deepEqual(report.gatewayLog?.lastDay.byHost.map((h) => [h.host, h.layer]).filter(([h]) => h === REMOTE), [[REMOTE, 'proxy']]);
    const markdown = (await gw.cli(['report'])).stdout;
    assert.match(markdown, /## Errors in the gateway's own logs/);
    assert.ok(!markdown.includes('[model-fetch]'), 'log lines are never copied into outputs');

    const metrics = (await gw.cli(['metrics', '--out', '-'])).stdout;
    assert.match(metrics, /^# TYPE clawbar_gateway_log_errors_total counter$/m);
    assert.match(metrics, /^clawbar_gateway_log_errors_total\{layer="proxy"\} [1-9]\d*$/m);
    const check = await promtool(['check', 'metrics'], metrics);
    assert.equal(check.code, 0, check.stdout + check.stderr);

    // What OpenClaw's record leaves out (the status), the probe through the same proxy shows.
    const probe = ProbeReport.parse(JSON.parse((await gw.cli(['probe', '--target', `https://${REMOTE}/v1`, '--json'])).stdout));
    assert.deepEqual([probe.results[0]!.via, probe.results[0]!.layer], ['proxy', 'proxy-auth']);
    assert.match(await proxy.readLog(), new RegExp(`CONNECT ${REMOTE.replaceAll('.', '\\.')}:443`));
  });

  it('egress observe sees the gateway connect to its providers at nginx and names them; report --allowlist shows the three lists', async () => {
    // One agent turn at a time: the gateway runs them in one lane.
    const { report } = await observeWhile(60, async () => { await chat('edge/m1'); await chat('other/m1'); });
    assert.ok(report.samples >= 30, `samples: ${report.samples}`);
    const seen = (port: number) => report.observed.find((d) => d.port === port);
    const allowed = seen(nginx.port('allowed'));
    const unlisted = seen(nginx.port('unlisted'));
    assert.ok(allowed && unlisted, `nginx ${nginx.port('allowed')}/${nginx.port('unlisted')}, proxy ${proxy.port}: ${JSON.stringify(report.observed)}`);
    assert.deepEqual([allowed.names, allowed.attribution], [['localhost'], 'allowlist']);
    assert.deepEqual([unlisted.names, unlisted.attribution], [['localhost'], 'config']);
    assert.ok(allowed.connections >= 1 && allowed.samples >= allowed.connections);
    assert.ok(report.pids.includes((await gw.standin.pidOf(gw.target))!));
    assert.ok(report.findings.some((f) => f.id === 'egress.not-allowlisted'));

    const ticket = AllowlistExport.parse(JSON.parse((await gw.cli(['report', '--allowlist', '--json'])).stdout));
    assert.deepEqual(ticket.observed?.allowlistedSeen.map((r) => r.host), ['localhost']);
    assert.deepEqual(ticket.observed?.allowlistedNeverSeen.map((r) => [r.host, r.viaProxy]), [['hooks.slack.com', true]]);
    assert.deepEqual(ticket.observed?.seenNotAllowlisted.map((d) => d.port), [nginx.port('unlisted')]);
    assert.match((await gw.cli(['report', '--allowlist'])).stdout, /### Seen, not on the allowlist[\s\S]*localhost/);
  });

  it('through the proxy (loopback proxied, credentials right), the connection is to the proxy and counted "via proxy"', async () => {
    await writeFile(join(gw.svc.stateDir, 'openclaw.json'), JSON.stringify({ ...QUIET_CONFIG, ...config(proxy.url, {}, 'slow'), proxy: { proxyUrl: proxy.url, loopbackMode: 'proxy' } }, null, 2));
    await gw.kickstart();
    // The first agent turn after a restart is the slow one; the tunnel lives a few seconds after the answer.
    let status = 0;
    const { run, report } = await observeWhile(90, async () => { status = await chat('edge/m1'); });
    assert.equal(status, 404, 'the turn reached nginx through the proxy (nginx answers 404 to the chat path)');
    const viaProxy = report.observed.find((d) => d.port === proxy.port);
    assert.ok(viaProxy, `nginx ${nginx.port('allowed')}, proxy ${proxy.port}: ${JSON.stringify(report.observed)}`);
    assert.deepEqual([viaProxy.attribution, viaProxy.names], ['proxy', [`127.0.0.1:${proxy.port}`]]);
    assert.ok(viaProxy.samples >= 2, 'the tunnel lasted while nginx waited for its upstream');
    assert.ok(!report.observed.some((d) => d.port === nginx.port('slow')), 'no direct connection to the provider');
    assert.ok(!run.stdout.includes(PROXY_PASSWORD) && !run.stderr.includes(PROXY_PASSWORD));
    assert.match(await proxy.readLog(), new RegExp(`CONNECT localhost:${nginx.port('slow')}`));
  });
});
