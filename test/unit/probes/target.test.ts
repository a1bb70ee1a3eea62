import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProbeTarget } from '../../../main/contract.ts';
import { MAX_PROBES_IN_FLIGHT, probeAll } from '../../../main/probes/target.ts';

describe('probeAll', () => {
  let server: Server;
  let port: number;
  let open = 0;
  let most = 0;

  before(async () => {
    // Answers a little later, so probes overlap as they would against slow targets.
    server = createServer((req, res) => setTimeout(() => res.end(req.url), 20));
    server.on('connection', (socket) => {
      most = Math.max(most, ++open);
      socket.on('close', () => { open--; });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it(`probes concurrently, at most ${MAX_PROBES_IN_FLIGHT} at a time, and returns results in target order`, async () => {
    const targets: ProbeTarget[] = Array.from({ length: MAX_PROBES_IN_FLIGHT + 8 }, (_, i) => ({ url: `http://127.0.0.1:${port}/${i}`, kind: 'custom', name: null, sni: null, pin: null }));
    const seen: string[] = [];
    const results = await probeAll(targets, { env: {}, managedProxy: null, dnsServers: [], timeoutMs: 5_000 }, (r) => seen.push(r.target));
    assert.deepEqual(results.map((r) => r.target), targets.map((t) => t.url));
    assert.ok(results.every((r) => r.ok), JSON.stringify(results.find((r) => !r.ok)?.error));
    assert.equal(seen.length, targets.length, 'each result reported once as it came');
    assert.ok(most > 1, 'concurrent');
    assert.ok(most <= MAX_PROBES_IN_FLIGHT, `${most} connections at once`);
  });

  it('times phases that follow one another and add up to no more than the total, as curl -w differenced', async () => {
    const [result] = await probeAll([{ url: `http://localhost:${port}/`, kind: 'custom', name: null, sni: null, pin: null }], { env: {}, managedProxy: null, dnsServers: [], timeoutMs: 5_000 });
    const { dnsMs, connectMs, ttfbMs, totalMs } = result!.phases;
    assert.ok(dnsMs !== null && connectMs !== null && ttfbMs !== null);
    assert.ok(dnsMs + connectMs + ttfbMs <= totalMs, JSON.stringify(result!.phases));
  });
});
