import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decideDown, type DownFacts } from '../../../main/glance/down-verdict.ts';
import { parsePmset, sleepEvidence } from '../../../main/glance/power.ts';
import { parseLaunchctlPrint } from '../../../main/service/launchctl.ts';
import { FIXTURES } from '../../helpers/world.ts';

const TARGET = 'gui/501/ai.openclaw.gateway';
const base: DownFacts = {
  port: 18789,
  launchd: { status: 'loaded', target: TARGET, plistPath: '/Users/op/Library/LaunchAgents/ai.openclaw.gateway.plist', state: 'running', jobState: 'running', pid: 4764, lastExitCode: null, lastExitReason: null, lastSignal: null, runs: 1, message: null },
  gateway: { pid: 4764, cpu: 0.3, stat: 'S', command: 'openclaw-gateway' },
  holders: [{ pid: 4764, process: 'node', command: 'openclaw-gateway', address: '127.0.0.1', ours: true, isGateway: true }],
  health: { answered: false, detail: 'no answer within 1000 ms' },
  sleep: null, localNetwork: null, logPath: '/Users/op/Library/Logs/openclaw/gateway.log',
};

/** launchd's facts from a recorded `launchctl print`, as gatherDownFacts reads them. */
function fromPrint(name: string): DownFacts['launchd'] {
  const job = parseLaunchctlPrint(readFileSync(join(FIXTURES, 'macos', name), 'utf8'))!;
  return { status: 'loaded', target: TARGET, plistPath: null, state: job.state, jobState: job.jobState, pid: job.pid, lastExitCode: job.lastExitCode, lastExitReason: job.lastExitReason, lastSignal: job.lastSignal, runs: job.runs, message: null };
}

const notRunning = { gateway: null, holders: [], health: null };

const cases: Array<{ name: string; facts: Partial<DownFacts>; cause: string; line: RegExp; command?: RegExp }> = [
  { name: 'not loaded', facts: { ...notRunning, launchd: { ...base.launchd, status: 'not-loaded', state: null, pid: null, message: 'Could not find service' } }, cause: 'not-loaded', line: /not loaded/, command: /^launchctl bootstrap gui\/501 \/Users\/op/ },
  { name: 'spawn failed, code signing (recorded)', facts: { ...notRunning, launchd: fromPrint('launchctl-print-gui-spawn-failed-codesigning-1.txt') }, cause: 'spawn-failed', line: /spawn failed \(OS_REASON_CODESIGNING\)/, command: /codesign --verify/ },
  { name: 'spawn failed, exit 78 (recorded)', facts: { ...notRunning, launchd: fromPrint('launchctl-print-gui-spawn-failed-ex-config-1.txt') }, cause: 'env-rejected', line: /exit 78, the env wrapper rejected/, command: /openclaw gateway install --force/ },
  { name: 'exited 127', facts: { ...notRunning, launchd: { ...base.launchd, state: 'not running', pid: null, lastExitCode: 127 } }, cause: 'not-executable', line: /127: the wrapper or node was not found/ },
  { name: 'crash loop', facts: { ...notRunning, launchd: { ...base.launchd, state: 'spawn scheduled', jobState: 'exited', pid: null, lastExitCode: 1, runs: 9 } }, cause: 'crash-loop', line: /crash-looping: launchd has started it 9 times, last exit 1/, command: /^tail -50 .*gateway\.log$/ },
  { name: 'port held by a second gateway', facts: { gateway: null, launchd: { ...base.launchd, state: 'spawn scheduled', pid: null, lastExitCode: 1, runs: 5 }, holders: [{ pid: 900, process: 'openclaw-', command: 'openclaw-gateway', address: '127.0.0.1', ours: false, isGateway: true }] }, cause: 'port-held', line: /held by another OpenClaw gateway \(openclaw-, pid 900/ },
  { name: 'port held by something else', facts: { holders: [{ pid: 901, process: 'python3', command: 'python3 -m http.server 18789', address: '*', ours: false, isGateway: false }] }, cause: 'port-held', line: /held by python3 \(pid 901\)/ },
  { name: 'alive, not listening', facts: { holders: [], health: null, gateway: { pid: 4764, cpu: 99.5, stat: 'R', command: 'openclaw-gateway' } }, cause: 'not-listening', line: /alive but does not listen on 18789 \(state R, CPU 99.5%\)/ },
  { name: 'exited, not yet reaped (a zombie is no running gateway)', facts: { holders: [], health: null, launchd: { ...base.launchd, state: 'running', pid: 4764, lastExitCode: null }, gateway: { pid: 4764, cpu: 0, stat: 'Zs', command: 'openclaw-gateway' } }, cause: 'exited', line: /^The gateway is not running$/ },
  { name: 'stopped with SIGSTOP', facts: { gateway: { pid: 4764, cpu: 0, stat: 'T', command: 'openclaw-gateway' } }, cause: 'wedged', line: /does not answer \/health within 1 s \(pid 4764, stopped/, command: /^kill -CONT 4764$/ },
  { name: 'spinning', facts: { gateway: { pid: 4764, cpu: 100, stat: 'R', command: 'openclaw-gateway' } }, cause: 'wedged', line: /state R, CPU 100%/, command: /kickstart -k/ },
  { name: 'the Mac sleeps (recorded pmset)', facts: { health: { answered: true, detail: 'HTTP 200 in 2 ms' }, sleep: sleepEvidence(parsePmset(readFileSync(join(FIXTURES, 'macos', 'pmset-g-sleep-powernap-1.txt'), 'utf8'))) }, cause: 'asleep', line: /set to sleep \(system sleep after 1 min idle/, command: /pmset -a sleep 0 powernap 0/ },
  { name: 'nothing explains it', facts: { health: { answered: true, detail: 'HTTP 200 in 2 ms' } }, cause: 'unknown', line: /nothing here explains why/ },
];

describe('why is it down: one verdict per cause', () => {
  for (const c of cases) {
    it(c.name, () => {
      const verdict = decideDown({ ...base, ...c.facts });
      assert.equal(verdict.cause, c.cause, verdict.line);
      assert.match(verdict.line, c.line);
      assert.ok(verdict.action.length > 0);
      assert.ok(verdict.evidence.length > 0 && verdict.evidence.every((e) => e.length > 0));
      if (c.command) assert.match(verdict.remedy.command ?? '', c.command);
    });
  }
});
