import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FleetSignals, statusFromGlance } from '../../../main/agent/fleet.ts';
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
});
