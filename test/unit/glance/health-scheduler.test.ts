import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { HealthScheduler } from '../../../main/glance/health.ts';
import type { HealthReport } from '../../../main/contract.ts';

describe('health scheduler', () => {
  it('samples on its interval without overlap, emits each state change once, and stops cleanly', async () => {
    let up = true;
    let inFlight = 0;
    let maxInFlight = 0;
    const server = createServer(async (req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      if (!up) { req.socket.destroy(); return; }
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/readyz' ? '{"ready":true,"failing":[]}' : '{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const scheduler = new HealthScheduler(`http://127.0.0.1:${port}`, 50, { timeoutMs: 500 });
    const states: HealthReport['state'][] = [];
    let samples = 0;
    scheduler.on('state', (report: HealthReport) => states.push(report.state));
    scheduler.on('sample', () => { samples++; });
    scheduler.start();
    scheduler.start();
    const waitUntil = async (check: () => boolean) => {
      for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
    };
    await waitUntil(() => samples >= 3);
    up = false;
    await waitUntil(() => states.includes('down'));
    up = true;
    await waitUntil(() => states.at(-1) === 'ok' && states.includes('down'));
    await scheduler.stop();
    const after = samples;
    await new Promise((r) => setTimeout(r, 200));
    server.close();
    assert.deepEqual(states, ['ok', 'down', 'ok']);
    assert.equal(samples, after, 'no samples after stop');
    assert.equal(maxInFlight, 1, 'runs never overlap');
  });
});
