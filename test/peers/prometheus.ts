import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, Peer } from './peer.ts';

export interface RunningPrometheus {
  port: number;
  /** An instant query; returns the result vector. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  targets(): Promise<Array<{ health: string; lastError: string; scrapeUrl: string }>>;
  stop(): Promise<void>;
  peer: Peer;
}

/**
 * The real Prometheus (Debian's package) on 127.0.0.1 only, with its TSDB in
 * `dir`, scraping the given loopback targets every second. The external URL
 * is given so it never needs the machine's host name.
 */
export async function startPrometheus(options: { dir: string; targets: string[] }): Promise<RunningPrometheus> {
  const port = await freePort();
  const config = join(options.dir, 'prometheus.yml');
  await mkdir(join(options.dir, 'data'), { recursive: true });
  await writeFile(config, [
    'global:', '  scrape_interval: 1s', '  scrape_timeout: 1s',
    'scrape_configs:', '  - job_name: clawbar', '    static_configs:', `      - targets: [${options.targets.map((t) => `'${t}'`).join(', ')}]`, '',
  ].join('\n'));
  const base = `http://127.0.0.1:${port}`;
  const peer = new Peer({ name: 'prometheus', command: 'prometheus', cwd: options.dir, args: [
    `--config.file=${config}`, `--storage.tsdb.path=${join(options.dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, `--web.external-url=${base}/`,
  ] });
  await peer.start();
  await peer.ready(async () => (await fetch(`${base}/-/ready`, { signal: AbortSignal.timeout(1_000) })).ok, 30_000);
  const api = async (path: string) => {
    const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5_000) });
    const body = await response.json() as { status: string; data: unknown };
    if (body.status !== 'success') throw new Error(`${path}: ${JSON.stringify(body)}`);
    return body.data;
  };
  return {
    port,
    query: async (expr) => ((await api(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as { result: Array<{ metric: Record<string, string>; value: [number, string] }> }).result,
    targets: async () => ((await api('/api/v1/targets')) as { activeTargets: Array<{ health: string; lastError: string; scrapeUrl: string }> }).activeTargets,
    stop: () => peer.stop(),
    peer,
  };
}
