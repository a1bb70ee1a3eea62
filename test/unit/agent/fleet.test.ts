import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FleetSignals, statusFromGlance } from '../../../main/agent/fleet.ts';
import { EdgesReport } from '../../../main/contract.ts';
import { Settings } from '../../../main/settings-schema.ts';
import { Session } from '../../../main/session/session.ts';
import { buildWorld } from '../../../main/world.ts';
import { makeHome } from '../../helpers/world.ts';
import { promtool } from '../../helpers/promtool.ts';
import { freePort } from '../../peers/peer.ts';
import { status } from '../report/samples.ts';

describe('the app\'s fleet signals', () => {
  it('writes a textfile promtool accepts, logs state changes once, and serves /metrics on loopback only', async () => {
    const { home, cleanup } = await makeHome();
    try {
      const sample = status();
      const glance = { health: sample.gateway, listeners: sample.listeners, clock: sample.clock };
      const port = await freePort();
      const settings = Settings.parse({ metricsPort: port });
      assert.equal(statusFromGlance({ ...glance, clock: null }, settings), null, 'nothing is published before every check has answered');
      const fleet = new FleetSignals(new Session(buildWorld({ env: { HOME: home } })));
      try {
        await fleet.publish(glance, settings);
        await fleet.publish(glance, settings);
        const text = await readFile(join(home, '.local', 'state', 'clawbar', 'metrics', 'clawbar.prom'), 'utf8');
        assert.match(text, /^clawbar_gateway_up 1$/m);
        const check = await promtool(['check', 'metrics'], text);
        assert.equal(check.code, 0, check.stdout + check.stderr);
        const log = (await readFile(join(home, '.local', 'state', 'clawbar', 'logs', 'status.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { source: string; check: string });
        assert.deepEqual(log.map((l) => l.check).sort(), ['clock', 'gateway', 'listeners', 'overall'], 'one line per check, and none for an unchanged second look');
        assert.ok(log.every((l) => l.source === 'app'));
        const served = await fetch(`http://127.0.0.1:${port}/metrics`);
        assert.equal(await served.text(), text);
      } finally {
        await fleet.stop();
      }
      await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`), 'the endpoint closes with the agent');
    } finally {
      await cleanup();
    }
  });

  it("the app's textfile carries the edges of its last look at the ways in, as `clawbar metrics` does", async () => {
    const { home, cleanup } = await makeHome();
    try {
      const sample = status();
      const edges = EdgesReport.parse({
        schema: 'clawbar.edges/1', overall: 'warn', gateway: { port: 18789, pid: 7, pidSource: 'lsof', trustedProxies: [], tailscaleMode: 'off' }, tree: [],
        mdns: { mode: 'minimal', source: 'default', advertising: false },
        proxies: [{ url: 'https://127.0.0.1:8443/', address: '0.0.0.0', port: 8443, exposure: 'wildcard', process: 'nginx', pid: 9, server: 'nginx', source: 'listener', tls: null, upstream: { loopback: true, detail: 'proxies to 127.0.0.1:18789' }, forgedHeader: { status: 200, reachedGateway: true, detail: 'a forged X-Forwarded-For reached the gateway' }, notes: [], severity: 'critical' }],
        forwarded: { direct: { source: null, status: null, refused: null, detail: 'not tried' } }, remote: [], unavailable: [],
        findings: [{ id: 'edges.forwarded-forgeable', severity: 'critical', title: 'A forged X-Forwarded-For reaches the gateway through nginx', fix: null }],
      });
      const glance = { health: sample.gateway, listeners: sample.listeners, clock: sample.clock, around: { edges, verdict: null } };
      const fleet = new FleetSignals(new Session(buildWorld({ env: { HOME: home } })));
      try {
        const published = await fleet.publish(glance, Settings.parse({}));
        assert.ok(published?.findings.some((f) => f.id === 'edges.forwarded-forgeable'), "the edges' findings are the status's");
        const text = await readFile(join(home, '.local', 'state', 'clawbar', 'metrics', 'clawbar.prom'), 'utf8');
        assert.match(text, /^clawbar_edge_proxies_forwarded_forgeable 1$/m);
        assert.match(text, /^clawbar_edge_proxies\{transport="plain"\} 1$/m);
        const check = await promtool(['check', 'metrics'], text);
        assert.equal(check.code, 0, check.stdout + check.stderr);
      } finally {
        await fleet.stop();
      }
    } finally {
      await cleanup();
    }
  });
});
