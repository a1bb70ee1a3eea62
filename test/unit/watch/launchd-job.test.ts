import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
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
});
