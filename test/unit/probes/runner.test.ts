import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { childWorld, keepProbeChildReady, readyProbeChild, startProbeChild, type ChildWorld } from '../../../main/probes/runner.ts';
import { makeHome, ROOT } from '../../helpers/world.ts';

const NOTHING = { targets: [], dnsServers: [], compareResolvers: {}, timeoutMs: 5_000, managedProxy: null };

/** Waits for a promise while something holds the loop open: a child kept ready must not, by design. */
async function held<T>(promise: Promise<T>): Promise<T> {
  const timer = setInterval(() => {}, 1_000);
  try { return await promise; } finally { clearInterval(timer); }
}

describe('the probe child kept ready', () => {
  after(() => keepProbeChildReady(null));

  it('hands its warmed child to the next run of the same world, starts another after the run, and is replaced or stopped on request', async () => {
    const { home, cleanup } = await makeHome();
    try {
      const { world } = await childWorld({ source: 'shell', service: null, shellEnv: { HOME: home, PATH: process.env.PATH } });
      keepProbeChildReady(world);
      const first = readyProbeChild()!;
      await held(first.ready);
      assert.equal(first.waiting, true);
      keepProbeChildReady({ ...world, env: { ...world.env } });
      assert.equal(readyProbeChild(), first, 'the same world keeps the same child');

      const taken = startProbeChild(world);
      assert.equal(taken, first);
      assert.equal(readyProbeChild(), null, 'taken, not shared');
      const run = await held(taken.probe(NOTHING));
      assert.equal(run.failure, null);
      assert.equal(run.runtime?.nodeVersion, process.version);
      const second = readyProbeChild();
      assert.ok(second && second !== first && second.waiting, 'a fresh child waits for the next run');

      const proxied: ChildWorld = { ...world, env: { ...world.env, https_proxy: 'http://127.0.0.1:9' } };
      keepProbeChildReady(proxied);
      const third = readyProbeChild()!;
      assert.notEqual(third, second, 'another world, another child');
      assert.match((await held(second.finished)).failure ?? '', /stopped/);
      const elsewhere = startProbeChild(world);
      assert.notEqual(elsewhere, third, 'a run in another world starts its own child');
      assert.equal(readyProbeChild(), third);
      elsewhere.stop();
      await held(elsewhere.finished);

      keepProbeChildReady(null);
      assert.equal(readyProbeChild(), null);
      assert.match((await held(third.finished)).failure ?? '', /stopped/);
    } finally {
      keepProbeChildReady(null);
      await cleanup();
    }
  });

  it('never keeps the process that holds it alive', async () => {
    const script = `
      import { childWorld, keepProbeChildReady } from ${JSON.stringify(join(ROOT, 'main', 'probes', 'runner.ts'))};
      keepProbeChildReady((await childWorld({ source: 'shell', service: null, shellEnv: { HOME: '/', PATH: process.env.PATH } })).world);
    `;
    const code = await new Promise<number | null>((resolve) => {
      const child = execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 }, () => {});
      child.on('exit', (exitCode, signal) => resolve(signal ? null : exitCode));
    });
    assert.equal(code, 0, 'exited on its own with the child still waiting');
  });
});

describe('the probe child\'s own start', () => {
  /** Runs the child on `request` with a hook that lists every module it loads. */
  async function runChild(request: string): Promise<{ code: number | null; stdout: string; stderr: string; loaded: string[] }> {
    const hook = `import { registerHooks } from 'node:module'; const seen = [];
      registerHooks({ load(url, context, next) { seen.push(url); return next(url, context); } });
      process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(seen) + '\\n'));`;
    return new Promise((resolve) => {
      const child = execFile(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, join(ROOT, 'main', 'probes', 'child.ts')],
        { timeout: 60_000, env: { PATH: process.env.PATH ?? '' } }, (error, stdout, stderr) => {
          const line = stderr.split('\n').find((l) => l.startsWith('LOADED ')) ?? 'LOADED []';
          resolve({ code: child.exitCode, stdout, stderr, loaded: JSON.parse(line.slice(7)) as string[] });
        });
      child.stdin!.end(request);
    });
  }

  it('loads no zod and no contract schemas: its parent validates the request it sends and every result it gets back', async () => {
    const run = await runChild(JSON.stringify(NOTHING));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /"type":"hello"[\s\S]*"type":"done"/);
    assert.ok(run.loaded.some((url) => url.endsWith('/main/probes/target.ts')), 'the hook saw the engine load');
    assert.deepEqual(run.loaded.filter((url) => /\/node_modules\/zod\/|\/main\/contract(\.ts|\/(?!remedies\.ts))/.test(url)), []);
  });

  it('refuses a request of the wrong shape with a line its parent can show, and probes nothing', async () => {
    for (const bad of ['{"targets":"all"}', JSON.stringify({ ...NOTHING, timeoutMs: -1 }), JSON.stringify({ ...NOTHING, compareResolvers: { a: [1] } })]) {
      const run = await runChild(bad);
      assert.equal(run.code, 1, bad);
      assert.match(run.stderr, /the probe request is not one this child understands/);
      assert.doesNotMatch(run.stdout, /"type":"(result|done)"/);
    }
  });
});
