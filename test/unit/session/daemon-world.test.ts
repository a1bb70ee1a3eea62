import assert from 'node:assert/strict';
import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProbeReport } from '../../../main/contract.ts';
import { Session } from '../../../main/session/session.ts';
import { buildWorld } from '../../../main/world.ts';
import { makeHome, writeService } from '../../helpers/world.ts';

/** A transport record as OpenClaw 2026.9.6 writes it when a provider answers with a status. */
const line = (status: number, at: Date) => `${JSON.stringify({
  0: '{"subsystem":"provider-transport-fetch"}', 1: `[model-fetch] response provider=corp api=openai-completions model=m1 status=${status} elapsedMs=9 dispatcher=new contentType=text/html`,
  _meta: { logLevelName: 'INFO' }, time: at.toISOString(), message: `[model-fetch] response provider=corp api=openai-completions model=m1 status=${status} elapsedMs=9`,
})}\n`;

describe("the session's reading of the gateway's own log", () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let logFile: string;
  before(async () => {
    ({ home, cleanup } = await makeHome());
    logFile = join(home, 'logs', 'openclaw.log');
    await mkdir(join(home, 'logs'));
    await writeService(home, { env: { HOME: home, PATH: '/usr/bin:/bin', OPENCLAW_LAUNCHD_LABEL: 'ai.openclaw.gateway' } });
    await writeFile(join(home, '.openclaw', 'openclaw.json'), JSON.stringify({ logging: { file: logFile }, models: { providers: { corp: { baseUrl: 'https://llm.corp.example/v1' } } }, proxy: { proxyUrl: 'http://127.0.0.1:3128' } }));
  });
  after(() => cleanup());

  it('counts across a rotation, makes one finding per layer, and notices a jump once an hour', async () => {
    const now = new Date();
    const session = new Session(buildWorld({ env: { HOME: home, PATH: process.env.PATH }, platform: 'linux', now: () => now }));
    const service = await session.service();
    await writeFile(logFile, line(407, now).repeat(4) + line(200, now));
    assert.deepEqual((await session.daemon.readGatewayLog(service)).totals, { 'proxy-auth': 4 });
    // OpenClaw rotates: the rest of the old file is in .1, the new one starts empty.
    await appendFile(logFile, line(407, now).repeat(4));
    await rename(logFile, join(home, 'logs', 'openclaw.1.log'));
    await writeFile(logFile, line(407, now).repeat(4) + line(429, now));
    const summary = await session.daemon.readGatewayLog(service);
    assert.deepEqual(summary.totals, { 'proxy-auth': 12, 'rate-limit': 1 });
    assert.deepEqual(summary.lastHour.byHost.map((h) => [h.host, h.layer, h.count]), [['llm.corp.example', 'proxy-auth', 12], ['llm.corp.example', 'rate-limit', 1]]);
    const findings = session.daemon.logFindings(summary);
    assert.deepEqual(findings.map((f) => [f.id, f.severity]), [['gateway-log.proxy-auth', 'warn'], ['gateway-log.rate-limit', 'warn']]);
    assert.match(findings[0]!.title, /12 proxy-auth errors in the last hour \(most for llm\.corp\.example\): the rate jumped/);
    assert.equal(findings[0]!.remedy?.command, 'clawbar probe --target https://llm.corp.example/');
    const notices = await session.daemon.logNotices(service);
    assert.deepEqual(notices.map((n) => [n.id, n.view]), [['gateway-log.proxy-auth', 'history']]);
    assert.deepEqual(await session.daemon.logNotices(service), [], 'a jump is noticed once an hour');
    assert.deepEqual((await session.daemon.gatewayLogSummary()).totals, summary.totals, 'metrics read the kept counts without reading further');
  });
});

describe('the newest probe baseline, asked every health look while a regression stands', () => {
  it('is read again only when the baselines folder changed', async () => {
    const { home, cleanup } = await makeHome();
    try {
      const session = new Session(buildWorld({ env: { HOME: home, PATH: process.env.PATH }, platform: 'linux' }));
      const report: ProbeReport = { schema: 'clawbar.probe/1', traceId: 't', startedAt: new Date().toISOString(), overall: 'ok', environment: { source: 'daemon', plistPath: null }, runtime: { execPath: process.execPath, nodeVersion: process.version, openssl: '3', daemonNode: null, note: null }, results: [], summary: { total: 0, ok: 0, failed: 0, byLayer: {}, durationMs: 1 }, findings: [] };
      assert.equal(await session.daemon.newestBaseline(), null);
      const one = await session.daemon.saveBaseline('one', report, []);
      assert.deepEqual(await session.daemon.newestBaseline(), { name: 'one', savedAt: one.savedAt });
      // A folder changed within the last second may change again within its clock tick: it is not trusted yet.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      assert.deepEqual(await session.daemon.newestBaseline(), { name: 'one', savedAt: one.savedAt });
      // Written in place, the file changes but its folder does not: a look that reads no baseline file does not see it.
      const file = join(session.world.files.probeBaselines, 'one.json');
      await writeFile(file, JSON.stringify({ ...one, savedAt: '2099-01-01T00:00:00.000Z' }));
      assert.deepEqual(await session.daemon.newestBaseline(), { name: 'one', savedAt: one.savedAt }, 'the folder unchanged: no baseline read');
      const two = await session.daemon.saveBaseline('two', { ...report, traceId: 't2' }, []);
      assert.ok(two.savedAt < '2099');
      assert.deepEqual((await session.daemon.newestBaseline())?.name, 'one', 'a save changed the folder: read again, and the in-place edit made one the newest');
    } finally {
      await cleanup();
    }
  });
});
