import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { alertmanagerAlert, type Page } from '../../../main/paging/bodies.ts';
import { Notifier } from '../../../main/settings-schema.ts';
import { ROOT } from '../../helpers/world.ts';

const run = promisify(execFile);
const CONFIG = join(ROOT, 'deploy', 'alertmanager', 'alertmanager.yml');
const amtool = (args: string[]) => run('amtool', args, { timeout: 20_000 }).then(({ stdout }) => stdout.trim(), (error: { stdout?: string; stderr?: string }) => `failed: ${error.stdout ?? ''}${error.stderr ?? ''}`);

describe('the Alertmanager route example (deploy/alertmanager)', () => {
  it('passes amtool check-config', async () => {
    assert.match(await amtool(['check-config', CONFIG]), /SUCCESS/);
  });

  it("routes the labels clawbar sends: gateway down to the pager and chat, the rest to chat, other alerts to the default", async () => {
    const labels = (check: string, severity: Page['severity'], layer: string | null = null) => {
      const notifier = Notifier.parse({ kind: 'alertmanager', url: 'http://127.0.0.1:9093' }) as Extract<Notifier, { kind: 'alertmanager' }>;
      const page: Page = { event: 'firing', node: 'mini-1', check, layer, from: 'ok', to: 'bad', since: '', startedAt: '', detail: '', fix: null, severity, traceId: 't', time: '' };
      return Object.entries((alertmanagerAlert(page, notifier, new Date()) as { labels: Record<string, string> }).labels).map(([k, v]) => `${k}=${v}`);
    };
    const route = (args: string[]) => amtool(['config', 'routes', 'test', `--config.file=${CONFIG}`, ...args]);
    assert.equal(await route(labels('gateway', 'critical')), 'clawbar-pager,clawbar-chat');
    assert.equal(await route(labels('exposure', 'critical')), 'clawbar-pager,clawbar-chat');
    assert.equal(await route(labels('exposure', 'warning')), 'clawbar-chat');
    assert.equal(await route(labels('egress', 'critical', 'tls-trust')), 'clawbar-chat');
    assert.equal(await route(['alertname=NodeDown']), 'default');
  });
});
