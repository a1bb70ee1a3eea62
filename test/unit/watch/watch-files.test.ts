import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'plist';
import type { Listener } from '../../../main/contract.ts';
import { lastWeekSnapshot, keepWeeklySnapshot, listSnapshots, SNAPSHOTS_KEPT } from '../../../main/store/listener-snapshots.ts';
import { FIX_WINDOW_MS, noteFixStep, readFixWindow, readPause, writePause } from '../../../main/store/maintenance.ts';
import { acquireLock, readLock, releaseLock } from '../../../main/store/watch-files.ts';
import { ConfigWatch, type Watched } from '../../../main/watch/config-watch.ts';
import { formatDuration, parseDuration } from '../../../main/watch/duration.ts';
import { jobPlist, type JobSpec } from '../../../main/watch/launchd-job.ts';
import { makeHome } from '../../helpers/world.ts';

const listener = (port: number, address = '127.0.0.1'): Listener => ({ address, port, family: 4, process: 'node', pid: 1, user: null, exposure: address === '127.0.0.1' ? 'loopback' : 'wildcard', network: null, severity: 'ok', note: null });
const day = 86_400_000;

describe('watch pieces', () => {
  it('durations: 30m, 2h, 1h30m, 90s, 1d; nothing else, nothing over a week', () => {
    assert.deepEqual(['30m', '2h', '1h30m', '90s', '1d', '7d'].map(parseDuration), [1_800_000, 7_200_000, 5_400_000, 90_000, day, 7 * day]);
    assert.deepEqual(['', '0m', '8d', '30', 'm', '1.5h', '-1h', '2 h'].map(parseDuration), [null, null, null, null, null, null, null, null]);
    assert.equal(formatDuration(5_400_000), '1h30m');
  });

  it('the job plist: the project node running clawbar watch, kept alive, logs in the log folder, UserName only for a daemon', () => {
    const spec: JobSpec = { kind: 'daemon', label: 'ai.clawbar.watch', plistPath: '/Library/LaunchDaemons/ai.clawbar.watch.plist', domain: 'system', userName: 'openclaw', uid: 502, home: '/Users/openclaw', program: ['/opt/node', '/opt/clawbar/bin/clawbar.js', 'watch'], env: { HOME: '/Users/openclaw', PATH: '/usr/bin:/bin' }, logPath: '/Users/openclaw/Library/Logs/clawbar/watch.log' };
    const job = parse(jobPlist(spec)) as Record<string, unknown>;
    assert.deepEqual(job.ProgramArguments, spec.program);
    assert.equal(job.UserName, 'openclaw');
    assert.equal(job.KeepAlive, true);
    assert.equal(job.RunAtLoad, true);
    assert.equal(job.StandardErrorPath, spec.logPath);
    assert.deepEqual(job.EnvironmentVariables, spec.env);
    assert.equal((parse(jobPlist({ ...spec, kind: 'agent', userName: null })) as Record<string, unknown>).UserName, undefined);
  });

  it('config watch: a content change settles once after the quiet time, with every file that changed; a touch is no change', async () => {
    const { home, cleanup } = await makeHome();
    try {
      const files: Watched[] = [{ role: 'config', path: join(home, 'openclaw.json') }, { role: 'envFile', path: join(home, 'gw.env') }];
      await writeFile(files[0]!.path, '{ gateway: { bind: "loopback" } }');
      await writeFile(files[1]!.path, 'export A=1\n');
      const settled: Watched[][] = [];
      const watch = new ConfigWatch({ debounceMs: () => 150, settle: async (changed) => { settled.push(changed); } });
      await watch.poll(files);
      await utimes(files[0]!.path, new Date(), new Date(Date.now() + 5_000));
      await watch.poll(files);
      await new Promise((r) => setTimeout(r, 250));
      assert.equal(settled.length, 0, 'same content, new mtime: nothing to re-verify');
      // An editor's save: temp file renamed over, then the env file too, inside the quiet time.
      await writeFile(`${files[0]!.path}.tmp`, '{ gateway: { bind: "lan" } }');
      await rename(`${files[0]!.path}.tmp`, files[0]!.path);
      await watch.poll(files);
      await new Promise((r) => setTimeout(r, 60));
      await writeFile(files[1]!.path, 'export A=2\n');
      await watch.poll(files);
      await new Promise((r) => setTimeout(r, 400));
      assert.deepEqual(settled.map((c) => c.map((f) => f.role).sort()), [['config', 'envFile']]);
      await watch.stop();
    } finally {
      await cleanup();
    }
  });

  it('weekly listener snapshots: one a week, dated, at most a quarter kept; last week is the newest one at least a week old', async () => {
    const { home, cleanup } = await makeHome();
    try {
      const dir = join(home, 'snapshots');
      const start = Date.parse('2026-01-05T09:00:00Z');
      assert.ok(await keepWeeklySnapshot(dir, [listener(18789)], new Date(start)));
      assert.equal(await keepWeeklySnapshot(dir, [listener(18789)], new Date(start + 3 * day)), null, 'one a week');
      assert.equal(await lastWeekSnapshot(dir, new Date(start + 3 * day)), null, 'none is a week old yet');
      await keepWeeklySnapshot(dir, [listener(18789), listener(5000, '*')], new Date(start + 7 * day));
      const lastWeek = await lastWeekSnapshot(dir, new Date(start + 8 * day));
      assert.equal(lastWeek?.savedAt, new Date(start).toISOString());
      for (let week = 2; week < 20; week++) await keepWeeklySnapshot(dir, [listener(18789)], new Date(start + week * 7 * day));
      const kept = await listSnapshots(dir);
      assert.equal(kept.length, SNAPSHOTS_KEPT);
      assert.equal(kept.at(-1)!.date, new Date(start + 19 * 7 * day).toISOString().slice(0, 10));
      assert.equal((await stat(dir)).mode & 0o777, 0o700);
      assert.deepEqual((await readdir(dir)).filter((n) => !/^listeners-\d{4}-\d{2}-\d{2}\.json$/.test(n)), []);
    } finally {
      await cleanup();
    }
  });

  it('maintenance: a pause expires; a fix opens a window at its write, keeps it through restart and closes it after verify', async () => {
    const { home, cleanup } = await makeHome();
    try {
      const now = new Date('2026-01-05T09:00:00Z');
      const pausePath = join(home, 'pause.json');
      await writePause(pausePath, { since: now.toISOString(), until: new Date(now.getTime() + 60_000).toISOString(), reason: 'upgrade' });
      assert.equal((await readPause(pausePath, now))?.reason, 'upgrade');
      assert.equal(await readPause(pausePath, new Date(now.getTime() + 61_000)), null);
      const path = join(home, 'fix-window.json');
      const note = (step: string, status: 'running' | 'ok' | 'failed', at = now) => noteFixStep(path, { fixId: 'f1', kind: 'bind', step: { step, status, at: at.toISOString(), detail: '' } as never }, at);
      for (const step of ['plan', 'preview', 'preflight', 'backup'] as const) await note(step, 'ok');
      assert.equal(await readFixWindow(path, now), null, 'a dry run opens nothing');
      await note('write', 'ok');
      await note('restart', 'running', new Date(now.getTime() + 10_000));
      const window = await readFixWindow(path, new Date(now.getTime() + 20_000));
      assert.deepEqual([window?.fixId, window?.since, window?.until], ['f1', now.toISOString(), new Date(now.getTime() + 10_000 + FIX_WINDOW_MS).toISOString()]);
      await note('verify', 'ok');
      assert.equal(await readFixWindow(path, now), null);
    } finally {
      await cleanup();
    }
  });

  it('the lock: one holder; a live holder is reported, a dead one replaced; only the holder releases it', async () => {
    const { home, cleanup } = await makeHome();
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const path = join(home, 'state', 'watch.lock');
      assert.deepEqual(await acquireLock(path, { pid: sleeper.pid!, startedAt: 'a' }), { ok: true });
      assert.equal((await stat(join(home, 'state'))).mode & 0o777, 0o700);
      const second = await acquireLock(path, { pid: process.pid, startedAt: 'b' });
      assert.deepEqual(second, { ok: false, holder: { pid: sleeper.pid!, startedAt: 'a' } });
      await releaseLock(path, process.pid);
      assert.equal((await readLock(path))?.pid, sleeper.pid, 'not ours to release');
      sleeper.kill('SIGKILL');
      await new Promise((r) => sleeper.once('exit', r));
      assert.deepEqual(await acquireLock(path, { pid: process.pid, startedAt: 'b' }), { ok: true }, 'a dead holder is stale');
      assert.equal(JSON.parse(await readFile(path, 'utf8')).pid, process.pid);
      await releaseLock(path, process.pid);
      assert.equal(await readLock(path), null);
    } finally {
      sleeper.kill('SIGKILL');
      await cleanup();
    }
  });
});
