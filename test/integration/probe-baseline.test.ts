import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BaselineComparison, DiagnosticsReport, ProbeReport } from '../../main/contract.ts';
import { startNginx } from '../peers/nginx.ts';
import { makePki } from '../peers/pki.ts';
import { cliEnv, makeHome, runCli, writeService } from '../helpers/world.ts';

/**
 * A byte relay on 127.0.0.1 in front of nginx, so one URL can meet a slower
 * path (each chunk held `delayMs`) or a re-certified edge (another nginx
 * server with a certificate from another CA) while the edge stays real.
 */
function relay(): { server: Server; upstream: number; delayMs: number; listen(): Promise<number> } {
  const state = {
    upstream: 0, delayMs: 0, server: createServer((client: Socket) => {
      const { upstream, delayMs } = state;
      const server = connect({ host: '127.0.0.1', port: upstream });
      const pipe = (from: Socket, to: Socket) => {
        from.on('data', (chunk) => { setTimeout(() => { if (!to.destroyed) to.write(chunk); }, delayMs); });
        from.on('end', () => setTimeout(() => to.end(), delayMs));
        from.on('error', () => to.destroy());
      };
      pipe(client, server);
      pipe(server, client);
    }),
    listen: () => new Promise<number>((resolve) => state.server.listen(0, '127.0.0.1', () => resolve((state.server.address() as { port: number }).port))),
  };
  return state;
}

describe('probe baselines against a real nginx edge', { timeout: 180_000 }, () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let nginx: Awaited<ReturnType<typeof startNginx>>;
  const edge = relay();
  let url: string;
  let env: Record<string, string>;
  const probe = async (args: string[]) => {
    const run = await runCli(['probe', '--json', ...args], env);
    assert.ok(run.stdout.startsWith('{'), `probe ${args.join(' ')}: exit ${run.code}: ${run.stderr}`);
    const document = JSON.parse(run.stdout) as ProbeReport & { comparison?: unknown; baselineSaved?: string };
    return { run, report: ProbeReport.parse(document), comparison: document.comparison ? BaselineComparison.parse(document.comparison) : null, saved: document.baselineSaved };
  };

  before(async () => {
    ({ home, cleanup } = await makeHome());
    const dir = async (name: string) => { await mkdir(join(home, name), { recursive: true }); return join(home, name); };
    const [one, two] = await Promise.all([makePki(await dir('ca-one'), { caName: 'Edge CA One' }), makePki(await dir('ca-two'), { caName: 'Edge CA Two' })]);
    const sans = ['localhost', 'IP:127.0.0.1'];
    const [leafOne, leafTwo] = await Promise.all([one.issue('edge', { sans }), two.issue('edge', { sans })]);
    nginx = await startNginx({ dir: await dir('nginx'), vhosts: [
      { name: 'before', serverNames: ['localhost'], cert: leafOne.chain, key: leafOne.key },
      { name: 'recertified', serverNames: ['localhost'], cert: leafTwo.chain, key: leafTwo.key },
    ] });
    edge.upstream = nginx.port('before');
    url = `https://127.0.0.1:${await edge.listen()}/`;
    // The daemon trusts both CAs, so only the issuer changes when the edge is re-certified.
    const bundle = join(home, 'ca-bundle.pem');
    await writeFile(bundle, `${await readFile(one.caCert, 'utf8')}${await readFile(two.caCert, 'utf8')}`);
    await writeService(home, { nodePath: process.execPath, env: { HOME: home, PATH: '/usr/bin:/bin', NODE_EXTRA_CA_CERTS: bundle, OPENCLAW_LAUNCHD_LABEL: 'ai.openclaw.gateway' } });
    env = cliEnv(home);
  });
  after(async () => {
    edge.server.close();
    await nginx?.stop();
    await cleanup();
  });

  it('a baseline is saved, a slower edge regresses in numbers, a re-certified edge by its issuer, and the report shows it', async () => {
    const saved = await probe(['--target', url, '--save-baseline', 'pre-upgrade']);
    assert.equal(saved.run.code, 0, saved.run.stderr);
    assert.equal(saved.saved, 'pre-upgrade');
    assert.equal(saved.report.results[0]!.tls?.issuer?.includes('Edge CA One'), true);

    const same = await probe(['--compare', 'pre-upgrade']);
    assert.equal(same.run.code, 0);
    assert.equal(same.comparison?.regressions, 0);
    assert.deepEqual(same.report.results.map((r) => r.target), [url], 'without --target, --compare probes what the baseline probed');

    edge.delayMs = 250;
    const slow = await probe(['--compare', 'pre-upgrade']);
    edge.delayMs = 0;
    assert.equal(slow.run.code, 1, 'a regression is a warning');
    const slower = slow.comparison!.targets[0]!.phases.filter((p) => p.slower).map((p) => p.phase);
    assert.ok(slower.includes('tlsMs') && slower.includes('totalMs'), JSON.stringify(slow.comparison));
    assert.deepEqual(slow.comparison!.targets[0]!.changes, []);

    edge.upstream = nginx.port('recertified');
    const recert = await probe(['--compare', 'pre-upgrade']);
    assert.equal(recert.run.code, 1);
    const issuer = recert.comparison!.targets[0]!.changes.find((c) => c.what === 'tls-issuer')!;
    assert.match(issuer.before!, /Edge CA One/);
    assert.match(issuer.after!, /Edge CA Two/);
    const human = await runCli(['probe', '--compare', 'pre-upgrade'], env);
    assert.match(human.stdout, /Baseline .*'pre-upgrade'.*regression/);
    assert.match(human.stdout, /tls-issuer .*Edge CA One.* → .*Edge CA Two/);

    const report = await runCli(['report', '--json'], env);
    const parsed = DiagnosticsReport.parse(JSON.parse(report.stdout));
    assert.equal(parsed.baseline?.name, 'pre-upgrade');
    assert.ok((parsed.baseline?.regressions ?? 0) >= 1);
    assert.match((await runCli(['report'], env)).stdout, /## Against the probe baseline[\s\S]*tls-issuer/);
  });

  it('names are checked before anything runs; an unknown one lists those saved', async () => {
    for (const name of ['../escape', 'a/b', '.hidden']) {
      const bad = await runCli(['probe', '--target', url, '--save-baseline', name], env);
      assert.equal(bad.code, 64, name);
    }
    const unknown = await runCli(['probe', '--compare', 'nope'], env);
    assert.equal(unknown.code, 64);
    assert.match(unknown.stderr, /no baseline named 'nope' \(saved: pre-upgrade\)/);
    assert.deepEqual(await readdir(join(home, '.local', 'state', 'clawbar', 'probe-baselines')), ['pre-upgrade.json']);
  });
});
