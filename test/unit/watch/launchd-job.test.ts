import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'plist';
import type { ServiceEnvironment } from '../../../main/service/environment.ts';
import { createExecutor } from '../../../main/system/exec.ts';
import { installJob, planJob, WATCH_NODE_FLAGS } from '../../../main/watch/launchd-job.ts';
import { buildWorld } from '../../../main/world.ts';
import { makeHome } from '../../helpers/world.ts';

const serviceAs = (scope: 'user-agent' | 'daemon', userName: string | null, plistPath: string) => ({ facts: { service: { scope, userName, plistPath } } }) as unknown as ServiceEnvironment;

describe("the watcher's launchd job", () => {
  it("an agent in the user's domain; a daemon (for a daemon gateway) with the gateway's UserName, its HOME and its log folder", async () => {
    const { home, cleanup } = await makeHome();
    try {
      const world = buildWorld({ env: { HOME: home, PATH: '/usr/bin:/bin', CLAWBAR_SYSTEM_ROOT: join(home, 'root') } });
      const agent = await planJob(world, serviceAs('user-agent', null, '/Users/ops/Library/LaunchAgents/ai.openclaw.gateway.plist'), {});
      assert.deepEqual([agent.kind, agent.domain, agent.userName, agent.plistPath], ['agent', `gui/${process.getuid?.()}`, null, join(home, 'Library', 'LaunchAgents', 'ai.clawbar.watch.plist')]);
      assert.deepEqual(agent.program.slice(0, 1 + WATCH_NODE_FLAGS.length), [process.execPath, ...WATCH_NODE_FLAGS]);
      assert.deepEqual(agent.program.slice(-3), ['watch', '--plist', '/Users/ops/Library/LaunchAgents/ai.openclaw.gateway.plist']);
      assert.deepEqual(agent.env, { HOME: home, PATH: '/usr/bin:/bin' });

      const daemon = await planJob(world, serviceAs('daemon', 'nobody', '/Library/LaunchDaemons/ai.openclaw.gateway.plist'), {});
      assert.deepEqual([daemon.kind, daemon.domain, daemon.userName, daemon.plistPath], ['daemon', 'system', 'nobody', join(home, 'root', 'Library', 'LaunchDaemons', 'ai.clawbar.watch.plist')]);
      assert.equal(daemon.env.HOME, '/nonexistent', "the gateway user's home, from the account database");
      assert.equal(daemon.logPath, '/nonexistent/.local/state/clawbar/logs/watch.log');
      assert.equal((await planJob(world, serviceAs('daemon', 'root', '/x.plist'), {})).userName, null, 'a root gateway gets a root watcher');
      assert.equal((await planJob(world, serviceAs('daemon', 'nobody', '/x.plist'), { scope: 'agent' })).kind, 'agent', '--scope wins');
    } finally {
      await cleanup();
    }
  });

  it('without launchctl (off macOS) the plist is still written, atomically and 0644, with the command that loads it', async () => {
    const { home, cleanup } = await makeHome();
    try {
      const world = buildWorld({ env: { HOME: home, PATH: '/nonexistent' }, exec: createExecutor({ PATH: '/nonexistent' }) });
      const installed = await installJob(world, await planJob(world, null, {}));
      assert.equal(installed.loaded, false);
      assert.match(installed.note!, /^launchctl is not available here; load it on the Mac with: launchctl bootstrap gui\/\d+ .*ai\.clawbar\.watch\.plist$/);
      const path = join(home, 'Library', 'LaunchAgents', 'ai.clawbar.watch.plist');
      assert.equal((await stat(path)).mode & 0o777, 0o644);
      assert.equal((parse(await readFile(path, 'utf8')) as { Label: string }).Label, 'ai.clawbar.watch');
      assert.equal((await stat(join(home, '.local', 'state', 'clawbar', 'logs'))).mode & 0o777, 0o700);
    } finally {
      await cleanup();
    }
  });

  it("a daemon job installed by root: the log folders it creates belong to the job's user, who can write the log; folders that were there keep their owner", { skip: process.getuid?.() !== 0 && 'needs root (as `sudo clawbar watch install`)' }, async () => {
    const { home, cleanup } = await makeHome();
    try {
      // The account database is read through the system's own tools; there is no launchctl here, so nothing is loaded.
      const world = buildWorld({ env: { HOME: home, PATH: '/usr/bin:/bin', CLAWBAR_SYSTEM_ROOT: join(home, 'root') }, exec: createExecutor({ PATH: '/usr/bin:/bin' }) });
      const planned = await planJob(world, serviceAs('daemon', 'nobody', '/Library/LaunchDaemons/ai.openclaw.gateway.plist'), {});
      const userHome = join(home, 'gateway-user');
      await chmod(home, 0o755); // a user's home sits in a folder others can pass through (/Users, /var)
      await mkdir(userHome, { mode: 0o755 });
      const logPath = join(userHome, '.local', 'state', 'clawbar', 'logs', 'watch.log');
      const nobody = planned.uid!;
      assert.ok(nobody > 0, "nobody's uid from the account database");
      const installed = await installJob(world, { ...planned, home: userHome, logPath });
      assert.equal(installed.loaded, false);
      for (const dir of ['.local', '.local/state', '.local/state/clawbar', '.local/state/clawbar/logs']) {
        assert.equal((await stat(join(userHome, dir))).uid, nobody, `${dir} belongs to the job's user`);
      }
      assert.equal((await stat(userHome)).uid, 0, 'the home that was there keeps its owner');
      assert.equal((await stat(join(userHome, '.local', 'state', 'clawbar', 'logs'))).mode & 0o777, 0o700);
      // The watcher, running as that user, appends to its log there (launchd opens StandardErrorPath as the job's user).
      const wrote = spawnSync(process.execPath, ['-e', `require('node:fs').appendFileSync(${JSON.stringify(logPath)}, 'watch started\\n')`], { uid: nobody, gid: nobody, encoding: 'utf8' });
      assert.equal(wrote.status, 0, wrote.stderr);
      assert.equal(await readFile(logPath, 'utf8'), 'watch started\n');
      assert.equal((await stat(installed.spec.plistPath)).uid, 0, 'the job plist itself stays root');
    } finally {
      await cleanup();
    }
  });
});
