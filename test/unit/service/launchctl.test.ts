import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseLaunchctlPrint, queryLaunchctl } from '../../../main/service/launchctl.ts';
import type { Executor } from '../../../main/system/exec.ts';
import { execCommand } from '../../../main/system/exec.ts';
import { FIXTURES } from '../../helpers/world.ts';

const fixture = (name: string) => readFile(join(FIXTURES, 'macos', name), 'utf8');

/** An executor answering `launchctl` with one recorded real output. */
const recorded = (stdout: string, stderr = '', code = 0): Executor => async (command, args) => ({
  command, args, available: true, code, signal: null, stdout, stderr, timedOut: false, truncated: false, durationMs: 1,
});

describe('launchctl print parsing (recorded macOS output)', () => {
  it('reads a running job: pid, program, arguments, environments', async () => {
    const job = parseLaunchctlPrint(await fixture('launchctl-print-gui-running-1.txt'))!;
    assert.equal(job.state, 'running');
    assert.equal(job.running, true);
    assert.equal(job.pid, 17594);
    assert.equal(job.lastSignal, 'Terminated: 15');
    assert.deepEqual(job.arguments, ['/Applications/mattstack.app/Contents/Helpers/chat']);
    assert.equal(job.environment.PORT, '11002');
    assert.equal(job.defaultEnvironment.PATH, '/usr/bin:/bin:/usr/sbin:/sbin');
    assert.equal(job.inheritedEnvironment.SSH_AUTH_SOCK, '/var/run/com.apple.launchd.TzpwIuqAEF/Listeners');
    assert.equal(job.path, '/Users/tester/Library/LaunchAgents/com.mattstack.deck.chat.plist');
  });

  it('reads a stopped job with its last exit code, ignoring nested event blocks', async () => {
    const job = parseLaunchctlPrint(await fixture('launchctl-print-gui-not-running-1.txt'))!;
    assert.equal(job.running, false);
    assert.equal(job.pid, null);
    assert.equal(job.lastExitCode, 0);
    assert.deepEqual(job.arguments, ['/bin/bash', '/Users/marcela-dev/motherboard-backup-system/snapshot-manager-prod.sh']);
    assert.deepEqual(job.environment, { XPC_SERVICE_NAME: 'com.motherboard.snapshot.retention' });
  });

  it('maps "could not find service" and "no domain" to not-loaded', async () => {
    const notFound = await queryLaunchctl(recorded('', await fixture('launchctl-print-gui-not-found-1.txt'), 113), 'gui/501/x');
    assert.equal(notFound.status, 'not-loaded');
    assert.match((notFound as { message: string }).message, /Could not find service/);
    const noDomain = await queryLaunchctl(recorded('', await fixture('launchctl-error-no-gui-domain-1.txt'), 125), 'gui/501/x');
    assert.equal(noDomain.status, 'not-loaded');
  });

  it('reports launchctl as unavailable where it does not exist (this Linux machine)', async () => {
    const state = await queryLaunchctl((command, args, options) => execCommand(`${command}-does-not-exist`, args, options), 'gui/501/x');
    assert.equal(state.status, 'unavailable');
  });

  it('stays bounded and sane on hostile output', () => {
    const hostile = `gui/501/x = {\n${'\t\tgarbage = {\n'.repeat(50_000)}${'}'.repeat(10)}\nstate = running\n`;
    const job = parseLaunchctlPrint(hostile);
    assert.ok(job === null || job.pid === null);
    assert.equal(parseLaunchctlPrint('\u0000\u0001 nonsense'), null);
  });
});
