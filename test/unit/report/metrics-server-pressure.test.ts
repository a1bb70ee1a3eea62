import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startMetricsServer, type MetricsServer } from '../../../main/report/metrics-server.ts';

const BODY = '# TYPE clawbar_gateway_up gauge\nclawbar_gateway_up 1\n# EOF\n';

function scrape(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', timeout: 5_000, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.end();
  });
}

/** Sockets that connect and then send nothing, or only the start of a request. */
async function holdSockets(port: number, count: number, partial: string): Promise<Socket[]> {
  const sockets = await Promise.all(Array.from({ length: count }, () => new Promise<Socket>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', () => { /* the server may close it: that is the point */ });
    socket.once('error', reject);
  })));
  if (partial) for (const socket of sockets) socket.write(partial);
  return sockets;
}

describe('metrics endpoint under idle-socket pressure (127.0.0.1)', () => {
  let server: MetricsServer;
  const held: Socket[] = [];
  before(async () => { server = await startMetricsServer({ port: 0, current: () => BODY, limits: { idleTimeoutMs: 300, headersTimeoutMs: 300, requestTimeoutMs: 600 } }); });
  after(async () => { for (const socket of held) socket.destroy(); await server.close(); });

  it('still answers a scrape while 64 idle sockets are held open', async () => {
    held.push(...await holdSockets(server.port, 64, ''));
    assert.equal(await scrape(server.port), 200);
  });

  it('still answers while sockets trickle an unfinished request (slowloris)', async () => {
    held.push(...await holdSockets(server.port, 32, 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
    assert.equal(await scrape(server.port), 200);
  });

  it('closes sockets that stay idle or never finish their headers', async () => {
    const [idle, slow] = [...await holdSockets(server.port, 1, ''), ...await holdSockets(server.port, 1, 'GET /metrics HTTP/1.1\r\n')];
    held.push(idle!, slow!);
    const closed = (socket: Socket) => new Promise<void>((resolve) => { if (socket.closed) resolve(); else socket.once('close', () => resolve()); });
    const deadline = new Promise<string>((resolve) => setTimeout(() => resolve('still open after 5 s'), 5_000).unref());
    assert.notEqual(await Promise.race([Promise.all([closed(idle!), closed(slow!)]).then(() => 'closed'), deadline]), 'still open after 5 s');
  });
});

describe('metrics endpoint defaults', () => {
  it('answers with its default limits while 16 idle local sockets are held open', async () => {
    const server = await startMetricsServer({ port: 0, current: () => BODY });
    const held = await holdSockets(server.port, 16, '');
    try {
      assert.equal(await scrape(server.port), 200);
    } finally {
      for (const socket of held) socket.destroy();
      await server.close();
    }
  });
});
