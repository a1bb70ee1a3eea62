import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { httpGet, HttpGetError } from '../../../main/system/http-get.ts';

describe('the health check GET (node:http, bounded)', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') res.end(JSON.stringify({ ready: true, agent: req.headers['user-agent'] }));
      else if (req.url === '/big') res.end('x'.repeat(4096));
      else if (req.url === '/slow') setTimeout(() => res.end('late'), 2_000).unref();
      else { res.statusCode = 503; res.end('draining'); }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => { server.closeAllConnections(); server.close(); });

  it('answers status and body, with the headers it was given', async () => {
    let headers = 0;
    const answer = await httpGet(`${base}/ok`, { timeoutMs: 2_000, headers: { 'user-agent': 'clawbar-health/0.1' }, onHeaders: () => { headers++; } });
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), { ready: true, agent: 'clawbar-health/0.1' });
    assert.equal(headers, 1);
    assert.deepEqual(await httpGet(`${base}/draining`, { timeoutMs: 2_000 }), { status: 503, body: 'draining' });
  });

  it('fails with a code: too large, timed out, refused', async () => {
    await assert.rejects(httpGet(`${base}/big`, { timeoutMs: 2_000, maxBytes: 1024 }), (e: HttpGetError) => e.code === 'TooLarge');
    await assert.rejects(httpGet(`${base}/slow`, { timeoutMs: 200 }), (e: HttpGetError) => e.code === 'TimeoutError' && /200 ms/.test(e.message));
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(httpGet(`http://127.0.0.1:${port}/health`, { timeoutMs: 2_000 }), (e: HttpGetError) => e.code === 'ECONNREFUSED');
  });
});
