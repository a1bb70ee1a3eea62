import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startMetricsServer, type MetricsServer } from '../../../main/report/metrics-server.ts';

function get(port: number, options: { path?: string; host?: string; accept?: string; method?: string } = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: options.path ?? '/metrics', method: options.method ?? 'GET', timeout: 5_000,
      headers: { host: options.host ?? `127.0.0.1:${port}`, ...(options.accept ? { accept: options.accept } : {}) } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

describe('metrics endpoint (127.0.0.1 only)', () => {
  let server: MetricsServer;
  let text = '# HELP clawbar_gateway_up x\n# TYPE clawbar_gateway_up gauge\nclawbar_gateway_up 1\n# EOF\n';
  before(async () => { server = await startMetricsServer({ port: 0, current: () => text }); });
  after(() => server.close());

  it('serves the current text, as OpenMetrics when asked, else Prometheus text', async () => {
    const plain = await get(server.port);
    assert.equal(plain.status, 200);
    assert.equal(plain.type, 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(plain.body, text);
    const om = await get(server.port, { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' });
    assert.equal(om.type, 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    text = text.replace(' 1\n', ' 0\n');
    assert.match((await get(server.port)).body, /clawbar_gateway_up 0/);
  });

  it('answers only loopback Host names (DNS rebinding), only /metrics, only GET/HEAD', async () => {
    assert.equal((await get(server.port, { host: 'localhost:9464' })).status, 200);
    assert.equal((await get(server.port, { host: 'evil.example:80' })).status, 421);
    assert.equal((await get(server.port, { path: '/' })).status, 404);
    assert.equal((await get(server.port, { method: 'POST' })).status, 405);
  });

  it('refuses a port that is taken instead of binding elsewhere', async () => {
    await assert.rejects(startMetricsServer({ port: server.port, current: () => '' }), /EADDRINUSE/);
  });
});
