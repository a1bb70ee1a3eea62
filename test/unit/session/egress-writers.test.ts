import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EgressObservations } from '../../../main/contract.ts';
import { EgressSampler } from '../../../main/session/egress.ts';
import { Session } from '../../../main/session/session.ts';
import type { ServiceEnvironment } from '../../../main/service/environment.ts';
import type { ExecResult, Executor } from '../../../main/system/exec.ts';
import { buildWorld, type World } from '../../../main/world.ts';
import { makeHome, writeService } from '../../helpers/world.ts';

const WATCHED = '192.0.2.10';
const OBSERVED = '192.0.2.20';

/** The gateway tree as ps and lsof show it: this process, holding one connection to `remote`:443 (a new local port per sample: a new connection each time). */
function gatewayTools(remote: string): Executor {
  let port = 50_000;
  return async (command, args) => {
    const out = (stdout: string): ExecResult => ({ command, args, available: true, code: 0, signal: null, stdout, stderr: '', timedOut: false, truncated: false, durationMs: 1 });
    if (command === 'ps') return out(`${process.pid} 1\n`);
    if (command === 'lsof' && args.includes('-t')) return out(`${process.pid}\n`);
    return out(`p${process.pid}\ncnode\nf20\nn10.0.0.5:${port++}->${remote}:443\nTST=ESTABLISHED\n`);
  };
}

/**
 * Two writers of egress-observations.json in one HOME: the watcher's sampler
 * (one sample merged per call) and `clawbar egress observe` (samples for a
 * while, saving now and then), each seeing its own destination.
 */
describe('egress: the kept window with two writers', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let service: ServiceEnvironment;
  const world = (exec: Executor): World => buildWorld({ env: { HOME: home, PATH: process.env.PATH }, home, exec, platform: 'linux' });
  const kept = async (w: World) => EgressObservations.parse(JSON.parse(await readFile(w.files.egressObservations, 'utf8')));
  const samplesOf = (k: EgressObservations, address: string) => k.destinations.find((d) => d.address === address)?.samples ?? 0;

  before(async () => {
    ({ home, cleanup } = await makeHome());
    const files = await writeService(home, { env: { HOME: home } });
    const plain = world(gatewayTools(WATCHED));
    await mkdir(dirname(plain.files.allowlist), { recursive: true });
    // Both addresses are allowlisted: named at once, no reverse lookups.
    await writeFile(plain.files.allowlist, `egress:\n  - { host: ${WATCHED}, port: 443, tls: true, owner: test }\n  - { host: ${OBSERVED}, port: 443, tls: true, owner: test }\n`);
    service = await new Session(plain).service(files.plistPath);
  });
  after(() => cleanup());

  it("egress observe keeps the watcher's samples taken while it observed", async () => {
    const watcherWorld = world(gatewayTools(WATCHED));
    const watcher = new EgressSampler(watcherWorld, service);
    await watcher.sampleAndKeep();
    const observing = new EgressSampler(world(gatewayTools(OBSERVED)), service).observe({ durationMs: 2_000, intervalMs: 1_000 });
    let watcherSamples = 1;
    let done = false;
    void observing.finally(() => { done = true; });
    while (!done) {
      await watcher.sampleAndKeep();
      watcherSamples++;
      await new Promise((r) => setTimeout(r, 50));
    }
    const report = await observing;
    const file = await kept(watcherWorld);
    assert.equal(report.samples, 3);
    assert.deepEqual([samplesOf(file, WATCHED), samplesOf(file, OBSERVED), file.samples], [watcherSamples, 3, watcherSamples + 3], JSON.stringify(file.destinations));
    // The watcher may merge one more sample between the observation's last save and the end of this loop.
    assert.ok(samplesOf(report.kept, WATCHED) >= watcherSamples - 1 && samplesOf(report.kept, OBSERVED) === 3, `the observation's report shows the window as kept: ${JSON.stringify(report.kept.destinations)}`);
  });

  it('samples merged at the same moment by two samplers are all kept', async () => {
    const w = world(gatewayTools(WATCHED));
    const before = (await kept(w)).samples;
    const one = new EgressSampler(w, service);
    const two = new EgressSampler(world(gatewayTools(OBSERVED)), service);
    await Promise.all(Array.from({ length: 10 }, () => [one.sampleAndKeep(), two.sampleAndKeep()]).flat());
    assert.equal((await kept(w)).samples, before + 20);
  });
});
