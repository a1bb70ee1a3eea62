import assert from 'node:assert/strict';
import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
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
