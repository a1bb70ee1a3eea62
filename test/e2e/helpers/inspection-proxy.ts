import { createServer } from 'node:http';
import { connect } from 'node:net';

export interface InspectionProxy { url: string; connects: string[]; stop: () => Promise<void> }

/**
 * A TLS-inspecting corporate proxy in miniature: every CONNECT, whatever
 * host it names, is tunnelled to one loopback TLS edge (nginx) that answers
 * with certificates from the corporate CA. Nothing is resolved and nothing
 * leaves loopback; the gateway's own outbound hosts meet the CA it does not
 * trust, as they would behind such a proxy.
 */
export async function startInspectionProxy(edgePort: number): Promise<InspectionProxy> {
  const connects: string[] = [];
  const server = createServer((_req, res) => { res.writeHead(405).end('CONNECT only\n'); });
  server.on('connect', (req, client, head) => {
    connects.push(req.url ?? '');
    const upstream = connect(edgePort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const close = () => { upstream.destroy(); client.destroy(); };
    upstream.on('error', close);
    client.on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
