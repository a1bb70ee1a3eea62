import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, Peer } from './peer.ts';

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

export interface RunningAlertmanager {
  url: string;
  /** Its own API: GET /api/v2/alerts (active, silenced and inhibited ones). */
  alerts(): Promise<AlertmanagerAlert[]>;
  stop(): Promise<void>;
  peer: Peer;
}

/**
 * The real Prometheus Alertmanager (Debian's prometheus-alertmanager) on
 * 127.0.0.1, clustering off, routing every alert to `webhookUrl` at once
 * (group_wait 1s) so a test sees Alertmanager's own notification as well.
 * The route is the one deploy/alertmanager/ documents, with short timers.
 */
export async function startAlertmanager(options: { dir: string; webhookUrl: string }): Promise<RunningAlertmanager> {
  const port = await freePort();
  const config = join(options.dir, 'alertmanager.yml');
  await writeFile(config, [
    'route:', '  receiver: clawbar-test', "  group_by: ['alertname', 'node']", '  group_wait: 1s', '  group_interval: 1s', '  repeat_interval: 1h',
    'receivers:', '  - name: clawbar-test', '    webhook_configs:', `      - url: '${options.webhookUrl}'`, '        send_resolved: true', '',
  ].join('\n'));
  const url = `http://127.0.0.1:${port}`;
  const peer = new Peer({ name: 'alertmanager', command: 'prometheus-alertmanager', cwd: options.dir, args: [
    `--config.file=${config}`, `--storage.path=${join(options.dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=', `--web.external-url=${url}/`, '--log.level=info',
  ] });
  await peer.start();
  await peer.ready(async () => (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) })).ok, 30_000);
  return {
    url,
    alerts: async () => await (await fetch(`${url}/api/v2/alerts`, { signal: AbortSignal.timeout(5_000) })).json() as AlertmanagerAlert[],
    stop: () => peer.stop(),
    peer,
  };
}
