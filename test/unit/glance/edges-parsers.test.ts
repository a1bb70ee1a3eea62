import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readEdgeConfig } from '../../../main/glance/edges-config.ts';
import { isTrusted, upstreamOf } from '../../../main/glance/edges-forwarded.ts';
import { splitBrain, scrubArgs, sshdPaths, tunnelPaths, tunnelProcessPaths, tailscalePaths } from '../../../main/glance/edges-remote.ts';
import { forwardTarget, keepaliveOk, parseSshCommand, parseSshG } from '../../../main/glance/edges-ssh.ts';
import { parseFunnelStatus, parseServeStatus, readTailscale, targetsPort } from '../../../main/glance/edges-tailscale.ts';
import { mdnsFindings, mdnsState, treeRole } from '../../../main/glance/edges-tree.ts';
import { parsePmset, sleepEvidence } from '../../../main/glance/power.ts';
import { descendants, findGatewayPid, isGatewayProcess, parsePs } from '../../../main/glance/process-tree.ts';
import { parseLaunchctlPrint } from '../../../main/service/launchctl.ts';
import { FIXTURES } from '../../helpers/world.ts';

const fixture = (name: string) => readFileSync(join(FIXTURES, 'macos', name), 'utf8');

describe('edges: parsers over recorded real output', () => {
  it('launchctl print of a spawn-failed job keeps job state, exit code and exit reason (not a job waiting to start)', () => {
    const loop = parseLaunchctlPrint(fixture('launchctl-print-gui-spawn-failed-ex-config-1.txt'))!;
    assert.equal(loop.state, 'spawn scheduled', 'the nested coalition "state = active" lines do not win');
    assert.equal(loop.jobState, 'spawn failed');
    assert.equal(loop.lastExitCode, 78);
    assert.equal(loop.runs, 22138);
    assert.equal(loop.running, false);
    const sign = parseLaunchctlPrint(fixture('launchctl-print-gui-spawn-failed-codesigning-1.txt'))!;
    assert.equal(sign.lastExitReason, 'OS_REASON_CODESIGNING');
    assert.equal(sign.lastExitCode, null);
  });

  it('pmset -g: a Mac that stays up, and one that sleeps with Power Nap', () => {
    const up = parsePmset(fixture('pmset-g-stays-up-macos26-1.txt'));
    assert.deepEqual(up, { sleepMinutes: 0, powernap: false, preventedBy: [] });
    assert.equal(sleepEvidence(up), null);
    const sleepy = parsePmset(fixture('pmset-g-sleep-powernap-1.txt'));
    assert.deepEqual(sleepy, { sleepMinutes: 1, powernap: true, preventedBy: ['Comet', 'coreaudiod', 'powerd'] });
    assert.match(sleepEvidence(sleepy)!, /sleep after 1 min idle.*Power Nap on/);
  });

  it('tailscale serve/funnel status: a tailnet-only Serve to the gateway, a public Funnel, and a CLI without its daemon', async () => {
    const serve = parseServeStatus(fixture('tailscale-funnel-status-json-serve-1.txt'), parseFunnelStatus(fixture('tailscale-serve-status-serve-1.txt')));
    assert.deepEqual(serve, [{ front: 'https://heaths-macbook-pro.tail5e5706.ts.net/', target: 'http://127.0.0.1:18789', funnel: false }]);
    assert.ok(targetsPort(serve[0]!.target, 18789));
    assert.ok(!targetsPort(serve[0]!.target, 18790));
    const funnel = parseServeStatus(fixture('tailscale-serve-status-json-funnel-1.txt'));
    assert.equal(funnel[0]!.funnel, true);
    assert.deepEqual([...parseFunnelStatus(fixture('tailscale-serve-status-funnel-1.txt'))], ['mobile-t460p.phoenix-wyvern.ts.net']);
    assert.deepEqual(parseServeStatus('null'), []);
    const unmanaged = tailscalePaths({ available: true, error: null, routes: serve }, 18789, 'off', 'token');
    assert.deepEqual(unmanaged.findings.map((f) => [f.id, f.severity]), [['edges.tailscale-serve-unmanaged', 'warn']]);
    assert.equal(tailscalePaths({ available: true, error: null, routes: serve }, 18789, 'serve', 'token').findings.length, 0);
    const publicGateway = tailscalePaths({ available: true, error: null, routes: [{ ...serve[0]!, funnel: true }] }, 18789, 'off', 'none');
    assert.deepEqual(publicGateway.findings.map((f) => [f.id, f.severity]), [['edges.tailscale-funnel', 'critical']]);
    const stderr = fixture('tailscale-error-preferences-1.txt');
    const cli = await readTailscale(async (command, args) => ({ command, args, available: true, code: 1, signal: null, stdout: '', stderr, timedOut: false, truncated: false, durationMs: 1 }), 'darwin');
    assert.deepEqual(cli, { available: true, error: 'tailscale exited with 1: The Tailscale CLI failed to start: Failed to load preferences.', routes: [] });
  });
});

describe('edges: pure rules', () => {
  it('ps: the tree under the gateway, the gateway by launchd pid, by port, by command line', () => {
    const ps = parsePs(['  100     1  0.0 Ss   /sbin/launchd', '  200   100 12.5 T    openclaw-gateway', '  300   200  0.1 S    /opt/chrome --remote-debugging-port=18800',
      '  400   300  0.0 S    /opt/chrome-helper', '  500   100  0.0 S    node /x/openclaw/dist/index.js gateway --port 18789', 'garbage'].join('\n'));
    assert.equal(ps.length, 5);
    assert.equal(ps[1]!.stat, 'T');
    assert.deepEqual(descendants(ps, 200).get(400), [200, 300, 400]);
    assert.ok(isGatewayProcess('openclaw-gateway') && isGatewayProcess(ps[4]!.command) && !isGatewayProcess('/opt/chrome'));
    assert.deepEqual(findGatewayPid(ps, { launchdPid: 200, portHolders: [] }), { pid: 200, source: 'launchd' });
    assert.deepEqual(findGatewayPid(ps, { launchdPid: 999, portHolders: [500] }), { pid: 500, source: 'port' });
    assert.equal(findGatewayPid(ps, { launchdPid: null, portHolders: [] }).pid, null, 'two gateway command lines: no guess');
  });

  it('OpenClaw port layout: control +2, CDP from +11, configured cdpPort', () => {
    assert.equal(treeRole(18791, 18789, []), 'browser-control');
    assert.equal(treeRole(18800, 18789, []), 'cdp');
    assert.equal(treeRole(18899, 18789, []), 'cdp');
    assert.equal(treeRole(9222, 18789, [9222]), 'cdp');
    assert.equal(treeRole(5000, 18789, []), 'other');
    const config = readEdgeConfig({ discovery: { mdns: { mode: 'full' } }, gateway: { tailscale: { mode: 'funnel' } }, browser: { profiles: { a: { cdpPort: 18801 }, b: { cdpUrl: 'http://127.0.0.1:9333' }, c: { cdpUrl: 'http://10.0.0.42:9222' } } } });
    assert.deepEqual(config, { mdnsMode: 'full', mdnsModeSet: true, tailscaleMode: 'funnel', cdpPorts: [9333, 18801] });
  });

  it('Bonjour: full mode warns; OPENCLAW_DISABLE_BONJOUR beats the config; it advertises by default on macOS only', () => {
    const full = readEdgeConfig({ discovery: { mdns: { mode: 'full' } } });
    assert.equal(mdnsFindings(mdnsState(full, {}, 'darwin'))[0]?.id, 'edges.mdns-full');
    assert.deepEqual(mdnsState(full, { OPENCLAW_DISABLE_BONJOUR: '1' }, 'darwin'), { mode: 'off', source: 'OPENCLAW_DISABLE_BONJOUR', advertising: false });
    assert.equal(mdnsState(readEdgeConfig({}), {}, 'darwin').advertising, true);
    assert.equal(mdnsState(readEdgeConfig({}), {}, 'linux').advertising, false);
  });

  it('trusted proxies: addresses, CIDR ranges and IPv4-mapped addresses', () => {
    assert.ok(isTrusted('127.0.0.1', ['127.0.0.1']));
    assert.ok(isTrusted('::ffff:10.1.2.3', ['10.0.0.0/8']));
    assert.ok(!isTrusted('127.0.0.2', ['127.0.0.1']));
    assert.ok(!isTrusted('::1', ['127.0.0.0/8']));
    assert.ok(!isTrusted('not an address', ['0.0.0.0/0']));
    assert.equal(upstreamOf(['127.0.0.1', '::1']).loopback, true);
    assert.equal(upstreamOf(['*']).loopback, false);
  });

  it('ssh: -R specs, clustered flags, -o keepalive, ssh -G output, secrets scrubbed from tunnel commands', () => {
    const ssh = parseSshCommand('ssh -NfR 8443:127.0.0.1:18789 -o ServerAliveInterval=30 -p 2222 -o ServerAliveCountMax=4 ops@bastion.example');
    assert.deepEqual(ssh.remoteForwards, ['8443:127.0.0.1:18789']);
    assert.equal(ssh.destination, 'ops@bastion.example');
    assert.deepEqual(ssh.options, { serveraliveinterval: '30', serveralivecountmax: '4' });
    assert.deepEqual(forwardTarget('[::1]:0:[::1]:18789'), { host: '::1', port: 18789 });
    assert.equal(forwardTarget('8080'), null);
    assert.deepEqual(parseSshG('user ops\nserveraliveinterval 0\nserveralivecountmax 3\n'), { interval: 0, countMax: 3 });
    assert.ok(keepaliveOk({ interval: 30, countMax: 4, source: 'command line' }));
    assert.ok(!keepaliveOk({ interval: 0, countMax: 3, source: 'ssh -G' }));
    assert.equal(scrubArgs('cloudflared tunnel run --token eyJhIjoiYiJ9'), 'cloudflared tunnel run --token [redacted]');
    const paths = tunnelPaths([{ pid: 7, destination: 'ops@b', forwards: [{ spec: '8443:127.0.0.1:18789', host: '127.0.0.1', port: 18789 }], keepalive: { interval: 0, countMax: 3, source: 'ssh -G' } }], 18789);
    assert.equal(paths.findings[0]?.id, 'edges.tunnel-keepalive');
    const split = splitBrain([...paths.paths, { kind: 'tailscale-serve', detail: 'x', toGateway: true, pid: null, severity: 'ok' }]);
    assert.equal(split[0]?.id, 'edges.split-brain');
    assert.equal(splitBrain(paths.paths).length, 0);
  });

  it('cloudflared and ngrok processes are remote paths (to the gateway when their target names its port); Remote Login by sshd or launchd on 22', () => {
    const ps = parsePs(['  71     1  0.3 S    /opt/homebrew/bin/cloudflared tunnel --no-autoupdate run --token eyJhIjoiYiJ9', '  72     1  0.1 S    /usr/local/bin/ngrok http 127.0.0.1:18789 --authtoken 2abcDEF', '  73     1  0.0 S    /usr/bin/ssh-agent'].join('\n'));
    const paths = tunnelProcessPaths(ps, 18789);
    assert.deepEqual(paths.map((p) => [p.kind, p.toGateway]), [['cloudflared', false], ['ngrok', true]]);
    assert.ok(paths.every((p) => !/eyJhIjoiYiJ9|2abcDEF/.test(p.detail)), paths.map((p) => p.detail).join('; '));
    const listener = (process: string, address: string, port: number) => ({ address, port, family: 4 as const, process, pid: 1, user: 'root', exposure: address === '127.0.0.1' ? 'loopback' as const : 'wildcard' as const, network: null, severity: 'ok' as const, note: null });
    assert.deepEqual(sshdPaths([listener('launchd', '*', 22)]).map((p) => p.toGateway), [true]);
    assert.deepEqual(sshdPaths([listener('sshd', '127.0.0.1', 2222)]).map((p) => p.toGateway), [false]);
  });
});
