import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EdgesReport } from '../../main/contract.ts';
import { NODE24 } from '../peers/openclaw.ts';
import { makeHome, writeService } from '../helpers/world.ts';

const root = process.getuid?.() === 0;

describe("the gateway's process tree in a network namespace of its own", { timeout: 120_000 }, () => {
  it('a DevTools port opened beyond loopback by a grandchild of the gateway is critical; the same address held by a stranger is not attributed', { skip: root ? false : 'needs root for unshare -n' }, async () => {
    const { home, cleanup } = await makeHome('clawbar-netns-');
    try {
      const port = 28789;
      await writeService(home, { port, nodePath: NODE24, env: { HOME: home, OPENCLAW_GATEWAY_PORT: String(port) } });
      const started = Date.now();
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile('unshare', ['-n', process.execPath, join(import.meta.dirname, '..', 'helpers', 'netns-edges.ts'), home, String(port)], { timeout: 90_000, maxBuffer: 8 * 1024 * 1024 }, (error, out, err) => (out ? resolve(out) : reject(new Error(`${error?.message}\n${err}`))));
      });
      process.stdout.write(`# netns edges in ${Date.now() - started} ms\n`);
      const report = EdgesReport.parse(JSON.parse(stdout));
      const cdp = report.tree.find((t) => t.role === 'cdp');
      assert.equal(cdp?.address, '10.77.0.1', JSON.stringify(report.tree));
      assert.equal(cdp.port, port + 11);
      assert.equal(cdp.severity, 'critical');
      assert.equal(cdp.lineage.length, 3, 'gateway → control child → DevTools grandchild');
      assert.equal(report.gateway.pid, cdp.lineage[0]);
      assert.deepEqual(report.tree.find((t) => t.role === 'browser-control')?.exposure, 'loopback');
      assert.ok(!report.tree.some((t) => t.port === port + 12), 'a listener outside the tree is not the gateway\'s');
      assert.deepEqual(report.findings.filter((f) => f.id.startsWith('edges.cdp')).map((f) => f.severity), ['critical']);
      assert.equal(report.overall, 'critical');
    } finally {
      await cleanup();
    }
  });
});
