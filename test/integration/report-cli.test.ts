import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AllowlistExport, DiagnosticsReport, ProbeReport } from '../../main/contract.ts';
import { startNginx } from '../peers/nginx.ts';
import { freePort } from '../peers/peer.ts';
import { makePki } from '../peers/pki.ts';
import { startSntpServer } from '../peers/sntp-server.ts';
import { startTinyproxy } from '../peers/tinyproxy.ts';
import { daemonNode } from '../helpers/daemon-node.ts';
import { cliEnv, makeHome, runCli, subdir, writeService, type CliRun } from '../helpers/world.ts';

const SECRETS = {
  token: 'gw-token-REPORT-7f3a9c2e5b1d',
  apiKey: 'sk-ant-api03-SEEDEDreportSECRETvalue42',
  proxyPassword: 'Prx-REPORT-s3cret',
};

/** Runs one shell command line the way a network team would paste it, bounded in time. */
function sh(command: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], { env, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('clawbar report and the firewall-ticket export, after a real probe run', { timeout: 180_000 }, () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let world: string;
  let env: Record<string, string>;
  let plist: string;
  let port: number;
  let proxy: Awaited<ReturnType<typeof startTinyproxy>>;
  const stops: Array<() => Promise<unknown>> = [];
  const runs: CliRun[] = [];
  const cli = async (args: string[]) => {
    const run = await runCli(args, env);
    runs.push(run);
    return run;
  };

  before(async () => {
    ({ home: root, cleanup } = await makeHome());
    const pki = await makePki(await subdir(root, 'pki'));
    const cert = await pki.issue('edge', { sans: ['api.corp.test', 'localhost', 'IP:127.0.0.1'] });
    const nginx = await startNginx({ dir: await subdir(root, 'nginx'), vhosts: [{ name: 'edge', serverNames: ['api.corp.test', 'localhost'], cert: cert.chain, key: cert.key }] });
    stops.push(() => nginx.stop());
    port = nginx.port('edge');
    proxy = await startTinyproxy({ dir: await subdir(root, 'proxy'), user: 'ops', password: SECRETS.proxyPassword });
    stops.push(() => proxy.stop());
    const sntp = await startSntpServer({ offsetMs: 0 });
    stops.push(() => sntp.stop());

    world = await subdir(root, 'world');
    // The gateway itself is not running: its port is free, so the report also shows a down gateway.
    const svc = await writeService(world, {
      nodePath: await daemonNode('report-cli'), port: await freePort(),
      env: { HOME: world, PATH: '/usr/bin:/bin', NODE_EXTRA_CA_CERTS: pki.caCert, ANTHROPIC_API_KEY: SECRETS.apiKey, HTTPS_PROXY: proxy.url, NO_PROXY: 'api.corp.test' },
    });
    plist = svc.plistPath;
    await writeFile(join(svc.stateDir, 'openclaw.json'), JSON.stringify({ gateway: { auth: { mode: 'token', token: SECRETS.token } }, models: { catalogRefresh: { enabled: false } }, update: { checkOnStart: false } }));
    const config = await subdir(world, '.config/clawbar');
    await writeFile(join(config, 'config.json'), JSON.stringify({ ntpServer: `127.0.0.1:${sntp.port}` }));
    await writeFile(join(config, 'allowlist.yaml'), [
      'egress:',
      `  - host: api.corp.test`, `    port: ${port}`, '    owner: platform-team', '    rotationContact: secops@example.com', '    pii: true', '    purpose: model inference',
      `  - host: localhost`, `    port: ${port}`, '    owner: chatops', '    purpose: alerts through the proxy',
      '',
    ].join('\n'));
    env = cliEnv(world);
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await cleanup();
  });

  it('before any probe run, the report says so', async () => {
    const md = await cli(['report']);
    assert.equal(md.stderr, '');
    assert.match(md.stdout, /## Last probe run\n\nNo probe run is recorded on this node yet/);
    assert.equal(md.code, 2, 'the gateway is down: critical');
    const json = DiagnosticsReport.parse(JSON.parse((await cli(['report', '--json'])).stdout));
    assert.equal(json.lastProbe, null);
    assert.equal(json.gateway.state, 'down');
  });

  it('after a probe run: one document with node, service, environment, the per-target table, listeners, clock, findings and fix history', async () => {
    const probe = await cli(['probe', '--plist', plist, '--json', '--timeout', '5000', '--target', `https://api.corp.test:${port}/`, '--target', `https://localhost:${port}/`, '--resolve', `api.corp.test:${port}:127.0.0.1`]);
    const probed = ProbeReport.parse(JSON.parse(probe.stdout));
    assert.deepEqual(probed.results.map((r) => [r.ok, r.via]), [[true, 'direct'], [true, 'proxy']], JSON.stringify(probed.results.map((r) => r.error)));

    const run = await cli(['report', '--json']);
    const report = DiagnosticsReport.parse(JSON.parse(run.stdout));
    assert.equal(report.lastProbe?.traceId, probed.traceId);
    assert.equal(report.service?.plistPath, plist);
    assert.equal(report.service?.layout, 'env-wrapper');
    assert.equal(report.launchd.status, 'unavailable');
    assert.ok(report.environment.redactedKeys.includes('ANTHROPIC_API_KEY'));
    assert.equal(report.clock.method, 'sntp');
    assert.ok(report.node.hostname.length > 0 && report.node.uptimeSec > 0);
    assert.deepEqual(report.fixHistory, []);
    assert.ok(report.findings.some((f) => f.id === 'gateway.down' && f.fix));

    const md = (await cli(['report'])).stdout;
    for (const heading of ['## Node', '## Gateway service', '## Effective environment', '## Gateway health', '## Last probe run', '## Listeners', '## Clock', '## Findings', '## Fix history']) assert.ok(md.includes(heading), heading);
    assert.match(md, new RegExp(`\\| https://api\\.corp\\.test:${port}/ \\| ok 200 \\| direct \\| — \\| [\\d.]+ \\| — \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\| TLSv1\\.3, issuer Corp Inspection CA, expires in \\d+ d, verified \\|`));
    assert.match(md, new RegExp(`\\| https://localhost:${port}/ \\| ok 200 \\| proxy \\|`));
    assert.match(md, /\| HTTPS_PROXY \| http:\/\/ops:\[redacted\]@127\.0\.0\.1:\d+ \| file \|/);
  });

  it('--out writes the same document atomically', async () => {
    const out = join(root, 'ticket.md');
    const run = await cli(['report', '--out', out]);
    assert.equal(run.stdout, '');
    assert.match(await readFile(out, 'utf8'), /^# clawbar diagnostics report: /);
  });

  it('the allowlist export: standard rows, and each curl command works for real (pinned direct; through the authenticated proxy)', async () => {
    const doc = AllowlistExport.parse(JSON.parse((await cli(['report', '--allowlist', '--json'])).stdout));
    assert.deepEqual(doc.rows.map((r) => [r.host, r.port, r.tls, r.sni, r.owner, r.pii, r.source, r.lastResult?.ok]), [
      ['api.corp.test', port, true, 'api.corp.test', 'platform-team', true, 'allowlist', true],
      ['localhost', port, true, 'localhost', 'chatops', false, 'allowlist', true],
      ['clawhub.ai', 443, true, 'clawhub.ai', null, null, 'config', undefined],
    ]);
    const [direct, proxied] = doc.rows;
    assert.match(direct!.command, new RegExp(`--resolve api\\.corp\\.test:${port}:127\\.0\\.0\\.1`));
    assert.match(proxied!.command, /--proxy-user "ops:\$PROXY_PASSWORD"/);

    const csvOut = join(root, 'allowlist.csv');
    assert.equal((await cli(['report', '--allowlist', '--csv', '--out', csvOut])).code, 0);
    const csv = await readFile(csvOut, 'utf8');
    assert.ok(csv.startsWith('dns_name,port,tls,expected_sni,owning_team,rotation_contact,pii,purpose,source,last_result,last_checked,probe_command\r\n'));
    assert.ok(csv.includes(`"${direct!.command.replace(/"/g, '""')}"`) || csv.includes(direct!.command));
    const md = (await cli(['report', '--allowlist'])).stdout;
    assert.ok(md.includes(`\`\`\`sh\n${proxied!.command}\n\`\`\``));

    // The shell a network team pastes into: no proxy variables, PROXY_PASSWORD set as the notes ask.
    const shellEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', PROXY_PASSWORD: SECRETS.proxyPassword };
    const pinned = await sh(direct!.command, shellEnv);
    assert.equal(pinned.code, 0, pinned.stderr);
    assert.match(pinned.stdout, /^dns=[\d.]+ connect=[\d.]+ tls=[\d.]+ ttfb=[\d.]+ total=[\d.]+ http=200\n$/);
    const connects = () => proxy.readLog().then((log) => log.split(`CONNECT localhost:${port}`).length - 1);
    const before = await connects();
    const viaProxy = await sh(proxied!.command, shellEnv);
    assert.equal(viaProxy.code, 0, viaProxy.stderr);
    assert.match(viaProxy.stdout, /http=200 proxy_connect=200\n$/);
    assert.equal(await connects(), before + 1, "tinyproxy's log shows curl's CONNECT");
  });

  it('no seeded secret appears in any output or file clawbar wrote', async () => {
    runs.push(await runCli(['metrics', '--out', '-'], env));
    const files: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else files.push(path);
      }
    };
    await walk(join(world, '.local', 'state', 'clawbar'));
    for (const name of ['ticket.md', 'allowlist.csv']) files.push(join(root, name));
    assert.ok(files.some((f) => f.endsWith('probes.jsonl')) && files.some((f) => f.endsWith('status.jsonl')) && files.some((f) => f.endsWith('last-probe.json')), files.join('\n'));
    const texts = [...runs.flatMap((r) => [r.stdout, r.stderr]), ...(await Promise.all(files.map((f) => readFile(f, 'utf8'))))];
    for (const secret of Object.values(SECRETS)) {
      for (const text of texts) assert.ok(!text.includes(secret), `${secret} leaked`);
    }
  });

  it('bad usage is 64, an unwritable --out is 65; one line on stderr, no partial file', async () => {
    for (const args of [['report', '--bogus'], ['report', '--csv'], ['report', '--allowlist', '--csv', '--json'], ['report', 'extra']]) {
      const run = await runCli(args, env);
      assert.equal(run.code, 64, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /^clawbar: .+\n$/);
    }
    const missing = join(root, 'no-such-folder', 'r.md');
    const gone = await runCli(['report', '--out', missing], env);
    assert.equal(gone.code, 65);
    assert.equal(gone.stderr, `clawbar: cannot write ${missing}: its folder does not exist\n`);
    const folder = await subdir(root, 'a-folder');
    const isDir = await runCli(['report', '--allowlist', '--out', folder], env);
    assert.equal(isDir.code, 65);
    assert.match(isDir.stderr, /^clawbar: cannot write .*a-folder: (is a directory|EISDIR)\n$/);
    assert.deepEqual((await readdir(root)).filter((name) => name.endsWith('.tmp')), [], 'no temp file left behind');
    const underFile = await runCli(['report', '--out', join(root, 'ticket.md', 'x.md')], env);
    assert.equal(underFile.code, 65);
    assert.equal(await readFile(join(root, 'ticket.md'), 'utf8').then((t) => t.startsWith('# clawbar')), true, 'the earlier file is untouched');

    await mkdir(join(root, 'broken', '.config', 'clawbar'), { recursive: true });
    await writeFile(join(root, 'broken', '.config', 'clawbar', 'allowlist.yaml'), 'egress: [ {host: 1, port: "x"} ]\n');
    const broken = await runCli(['report', '--allowlist'], cliEnv(join(root, 'broken')));
    assert.equal(broken.code, 65);
    assert.match(broken.stderr, /^clawbar: .*allowlist\.yaml: egress\.0\.host: .*\n$/);
  });
});
