import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DiagnosticsReport } from '../../../main/contract.ts';
import { buildDiagnosticsReport } from '../../../main/report/report.ts';
import { reportMarkdown } from '../../../main/report/report-markdown.ts';
import { loadServiceEnvironment } from '../../../main/service/environment.ts';
import { Keeper } from '../../../main/store/keeper.ts';
import { execCommand } from '../../../main/system/exec.ts';
import { buildWorld } from '../../../main/world.ts';
import { makeHome, writeService } from '../../helpers/world.ts';
import { status } from './samples.ts';

const node = { hostname: 'mini-hk-1', platform: 'darwin', osName: 'macOS', osVersion: '15.1', osBuild: '24B83', kernel: 'Darwin 24.1.0', arch: 'arm64', uptimeSec: 60, timezone: 'UTC', user: 'ops', clawbarVersion: '0.1.0', nodeVersion: 'v24.21.0' };
const DAY = 86_400_000;

describe("the report's weekly listener diff", () => {
  it('lists what appeared since the snapshot kept a week ago, beside the baseline changes', async () => {
    const { home, cleanup } = await makeHome();
    try {
      const svc = await writeService(home, { env: { HOME: home } });
      await writeFile(join(svc.stateDir, 'openclaw.json'), '{}');
      const service = await loadServiceEnvironment({ plistPath: svc.plistPath, home, shellEnv: { HOME: home, PATH: '/usr/bin:/bin' }, exec: execCommand, systemRoot: '', platform: process.platform });
      let now = Date.parse('2026-11-14T09:00:00Z');
      const keeper = new Keeper(buildWorld({ env: { HOME: home }, now: () => new Date(now) }));
      const report = status();
      const lastWeek = { ...report.listeners, items: report.listeners.items.filter((l) => l.port !== 8080) };
      const memory = await keeper.listenerMemory();
      await keeper.keepListeners(lastWeek, memory, false);
      assert.equal(await keeper.weeklyListenerChanges(report.listeners.items), null, 'the snapshot just taken is not last week');
      now += 7 * DAY;
      await keeper.keepListeners(report.listeners, await keeper.listenerMemory(), false);
      const weekly = await keeper.weeklyListenerChanges(report.listeners.items);
      assert.equal(weekly?.savedAt, '2026-11-14T09:00:00.000Z');
      assert.deepEqual(weekly?.changes.map((c) => [c.change, c.process, c.port]), [['new', 'python3', 8080]]);

      const doc = buildDiagnosticsReport({ service: service.facts, status: report, lastProbe: null, fixHistory: [], node, listenerWeekly: weekly });
      assert.deepEqual(DiagnosticsReport.parse(doc).listenerWeekly, weekly);
      const md = reportMarkdown(doc);
      assert.match(md, /Changes since the baseline of 2026-11-20T10:00:00.000Z: 1\.\n- new python3 \*:8080, for 2 h\n\nChanges since last week's snapshot of 2026-11-14T09:00:00.000Z: 1\.\n- new python3 \*:8080/);
      assert.match(reportMarkdown(buildDiagnosticsReport({ service: service.facts, status: report, lastProbe: null, fixHistory: [], node })), /No weekly listener snapshot is a week old yet/);
    } finally {
      await cleanup();
    }
  });
});
