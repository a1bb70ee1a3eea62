import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClockReport } from '../../main/contract.ts';
import { measureClock } from '../../main/glance/clock.ts';
import { execCommand } from '../../main/system/exec.ts';
import type { Executor } from '../../main/system/exec.ts';
import { CHRONY_STRATUM, startChrony } from '../peers/chrony.ts';
import { startNginx } from '../peers/nginx.ts';
import { makePki } from '../peers/pki.ts';
import { startSntpServer } from '../peers/sntp-server.ts';
import { subdir } from '../helpers/world.ts';

// Loopback answers in well under a millisecond; 50 ms covers a loaded CI box.
const TOLERANCE_MS = 50;
const cleanups: Array<() => Promise<unknown>> = [];
let root: string;

const dirFor = (name: string) => subdir(root, name);

/** Measures and checks the report against the contract, timing the call. */
async function measure(options: Omit<Parameters<typeof measureClock>[0], 'exec'> & { exec?: Executor }, diagnostic?: (message: string) => void): Promise<ClockReport & { tookMs: number }> {
  const started = performance.now();
  const report = await measureClock({ exec: execCommand, ...options });
  const tookMs = Math.round(performance.now() - started);
  ClockReport.parse(report);
  diagnostic?.(`${report.method ?? 'none'}: state ${report.state}, offset ${report.offsetMs} ms, rtt ${report.roundTripMs} ms, ${report.samples} sample(s), ${tookMs} ms`);
  return { ...report, tookMs };
}

async function fakeServer(options: Parameters<typeof startSntpServer>[0]) {
  const server = await startSntpServer(options);
  cleanups.push(() => server.stop());
  return server;
}

const brokenByName = (report: ClockReport) => Object.fromEntries(report.breaks.map((b) => [b.what, b.broken]));

describe('measureClock against real peers', { timeout: 30_000 }, () => {
  before(async () => { root = await mkdtemp(join(tmpdir(), 'clawbar-clock-')); });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });

  it('reads an in-sync clock from chronyd on loopback', { timeout: 20_000 }, async (t) => {
    const chrony = await startChrony({ dir: await dirFor('chrony') });
    cleanups.push(() => chrony.stop());
    const report = await measure({ server: `127.0.0.1:${chrony.port}` }, (message) => t.diagnostic(message));
    assert.equal(report.method, 'sntp');
    assert.equal(report.stratum, CHRONY_STRATUM);
    assert.equal(report.state, 'ok');
    assert.ok(Math.abs(report.offsetMs!) <= TOLERANCE_MS, `offset ${report.offsetMs} ms`);
    assert.equal(report.samples, 4);
    assert.equal(report.sntpError, null);
    assert.deepEqual(report.findings, []);
  });

  it('calls a clock 90 s behind critical: JWT broken, device auth (120 s) not yet', { timeout: 5_000 }, async (t) => {
    const server = await fakeServer({ offsetMs: 90_000 });
    const report = await measure({ server: `127.0.0.1:${server.port}` }, (message) => t.diagnostic(message));
    assert.equal(report.state, 'critical');
    assert.ok(Math.abs(report.offsetMs! - 90_000) <= TOLERANCE_MS, `offset ${report.offsetMs} ms`);
    assert.equal(report.stratum, 2);
    const broken = brokenByName(report);
    assert.equal(broken['OpenClaw device-auth signatures'], false);
    assert.equal(broken['JWT validation (typical 60 s leeway)'], true);
    assert.equal(broken.Kerberos, false);
    const finding = report.findings.find((f) => f.id === 'clock.offset');
    assert.equal(finding?.severity, 'critical');
    assert.match(finding!.title, /\+90\.0 s.*behind|behind.*\+90\.0 s/);
    assert.match(finding!.title, /JWT/);
    assert.match(finding!.fix ?? '', /clawbar fix clock/);
    assert.match(finding!.fix ?? '', /sntp -sS 127\.0\.0\.1/);
  });

  it('calls a clock 3 s ahead a warning with nothing broken', { timeout: 5_000 }, async (t) => {
    const server = await fakeServer({ offsetMs: -3_000 });
    const report = await measure({ server: `127.0.0.1:${server.port}` }, (message) => t.diagnostic(message));
    assert.equal(report.state, 'warn');
    assert.ok(Math.abs(report.offsetMs! + 3_000) <= TOLERANCE_MS, `offset ${report.offsetMs} ms`);
    assert.ok(report.breaks.every((b) => !b.broken));
    assert.match(report.findings[0]!.title, /ahead/);
  });

  it('talks SNTP over IPv6 to [::1]:PORT', { timeout: 5_000 }, async (t) => {
    const server = await fakeServer({ offsetMs: 2_500, host: '::1' });
    const report = await measure({ server: `[::1]:${server.port}` }, (message) => t.diagnostic(message));
    assert.equal(report.method, 'sntp');
    assert.equal(report.server, `[::1]:${server.port}`);
    assert.equal(report.state, 'warn');
    assert.ok(Math.abs(report.offsetMs! - 2_500) <= TOLERANCE_MS, `offset ${report.offsetMs} ms`);
    assert.equal(server.requests(), 4);
  });

  it('falls back to the Date header of a real nginx TLS edge when SNTP is silent', { timeout: 20_000 }, async (t) => {
    const pki = await makePki(await dirFor('pki'));
    const leaf = await pki.issue('localhost', { sans: ['localhost', 'IP:127.0.0.1'] });
    const nginx = await startNginx({ dir: await dirFor('nginx'), vhosts: [{ name: 'edge', serverNames: ['localhost'], cert: leaf.chain, key: leaf.key }] });
    cleanups.push(() => nginx.stop());
    const silent = await fakeServer({ offsetMs: 0, silent: true });
    const url = `https://localhost:${nginx.port('edge')}/date`;
    const report = await measure({ server: `127.0.0.1:${silent.port}`, timeoutMs: 400, httpDateUrls: [url], ca: pki.caCert }, (message) => t.diagnostic(message));
    assert.equal(report.method, 'http-date');
    assert.match(report.sntpError ?? '', /no answer.*UDP 123 may be blocked/);
    assert.ok(Math.abs(report.offsetMs!) < 2_000, `offset ${report.offsetMs} ms`);
    assert.equal(report.state, 'ok');
    assert.equal(report.server, `https://localhost:${nginx.port('edge')}`);
    assert.ok(silent.requests() >= 1 && silent.requests() <= 2, `${silent.requests()} SNTP requests`);
    const blocked = report.findings.find((f) => f.id === 'clock.sntp-blocked');
    assert.match(blocked?.detail ?? '', /1 s resolution/);
  });

  it('reports unknown when SNTP is silent and there is no Date fallback', { timeout: 5_000 }, async (t) => {
    const silent = await fakeServer({ offsetMs: 0, silent: true });
    const report = await measure({ server: `127.0.0.1:${silent.port}`, timeoutMs: 300 }, (message) => t.diagnostic(message));
    assert.equal(report.state, 'unknown');
    assert.equal(report.offsetMs, null);
    assert.equal(report.method, null);
    assert.equal(report.samples, 0);
    assert.match(report.sntpError ?? '', /UDP 123 may be blocked/);
    assert.deepEqual(report.findings.map((f) => [f.id, f.severity]), [['clock.unknown', 'warn']]);
    assert.ok(report.tookMs < 1_500, `took ${report.tookMs} ms`);
  });

  it('asks systemsetup for the server when none is given', { timeout: 5_000 }, async (t) => {
    const calls: string[][] = [];
    // 127.0.0.1:123 keeps any traffic on loopback; the reply (or refusal) does not matter here.
    const exec: Executor = async (command, args) => {
      calls.push([command, ...args]);
      return { command, args, available: true, code: 0, signal: null, stdout: 'Network Time Server: 127.0.0.1\n', stderr: '', timedOut: false, truncated: false, durationMs: 1 };
    };
    const report = await measure({ exec, samples: 1, timeoutMs: 300 }, (message) => t.diagnostic(message));
    assert.deepEqual(calls, [['systemsetup', '-getnetworktimeserver']]);
    assert.equal(report.server, '127.0.0.1');
  });
});
