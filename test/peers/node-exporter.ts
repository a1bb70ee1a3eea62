import { freePort, Peer } from './peer.ts';

export interface RunningNodeExporter {
  url: string;
  /** One scrape of /metrics. */
  scrape(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The real node_exporter (Debian's prometheus-node-exporter) on 127.0.0.1
 * with only the textfile collector, reading `textfileDir` as an operator's
 * fleet would (`--collector.textfile.directory`).
 */
export async function startNodeExporter(options: { textfileDir: string }): Promise<RunningNodeExporter> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const peer = new Peer({ name: 'node-exporter', command: 'prometheus-node-exporter', args: [
    `--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${options.textfileDir}`,
  ] });
  await peer.start();
  await peer.ready(async () => (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(1_000) })).ok, 20_000);
  return { url, scrape: async () => (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text(), stop: () => peer.stop() };
}
