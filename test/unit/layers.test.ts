import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/world.ts';

/**
 * The layers of the README's architecture section, kept by reading the
 * imports: the engine returns data and never reaches up, nothing imports in
 * a circle, and only the edges read this process's environment.
 */
const ENGINE = /^main\/(service|probes|glance|fixes)\//;
const ABOVE_ENGINE = /^main\/(store|report|session|cli|agent|paging|watch|app)\/|^main\/(cli|world)\.ts$/;
const RENDER = /^main\/report\//;
const ABOVE_RENDER = /^main\/(store|session|cli|agent|paging|watch|app)\/|^main\/cli\.ts$/;
const STORE = /^main\/store\//;
const ABOVE_STORE = /^main\/(session|cli|agent|paging|watch|app)\/|^main\/cli\.ts$/;
/** The agent layer: the agent, its pager (main/paging) and the watcher (main/watch). */
const AGENT = /^main\/(agent|paging|watch)\//;
const FACES = /^main\/(cli|app)\/|^main\/cli\.ts$/;
/** The contract: zod schemas only, which every layer may import; it imports nothing but its own files and the settings file's schema. */
const CONTRACT = /^main\/contract\/|^main\/(contract|ipc-contract)\.ts$/;
const CONTRACT_DEPS = /^main\/contract\/|^main\/(contract|settings-schema)\.ts$/;
/** Where the world is built from this process (and the probe child, which runs in the daemon's environment by design). */
const ENV_EDGES = /^main\/(cli|app)\/|^main\/cli\.ts$|^main\/agent\/agent\.ts$|^main\/probes\/child\.ts$/;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const SPECIFIER = /^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.[^'"]+)['"]|^\s*import\s+['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/gm;

/** Every file's relative imports, resolved to repository paths. */
function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const targets: string[] = [];
    for (const match of text.matchAll(SPECIFIER)) {
      const spec = match[1] ?? match[2] ?? match[3]!;
      const base = resolve(ROOT, dirname(file), spec);
      const found = [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((p) => existsSync(p) && statSync(p).isFile());
      if (found) targets.push(relative(ROOT, found).split('\\').join('/'));
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Files that sit on a cycle (iterative depth-first search, colouring the stack). */
function filesOnCycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[][] = [];
  for (const startFile of graph.keys()) {
    if (state.has(startFile)) continue;
    const stack: Array<{ file: string; next: number }> = [{ file: startFile, next: 0 }];
    state.set(startFile, 'open');
    while (stack.length > 0) {
      const top = stack.at(-1)!;
      const deps = graph.get(top.file) ?? [];
      if (top.next >= deps.length) {
        state.set(top.file, 'done');
        stack.pop();
        continue;
      }
      const dep = deps[top.next++]!;
      if (state.get(dep) === 'open') cycles.push([...stack.slice(stack.findIndex((s) => s.file === dep)).map((s) => s.file), dep]);
      else if (!state.has(dep) && graph.has(dep)) {
        state.set(dep, 'open');
        stack.push({ file: dep, next: 0 });
      }
    }
  }
  return cycles;
}

const files = [...sources('main'), ...sources('renderer'), ...sources('preload')];
const graph = importGraph(files);

const crossings = (from: RegExp, to: RegExp) => [...graph].flatMap(([file, deps]) => (from.test(file) ? deps.filter((d) => to.test(d)).map((d) => `${file} -> ${d}`) : []));

describe('layers (README: Architecture)', () => {
  it('reads a real graph', () => {
    assert.ok(files.length > 100, `only ${files.length} source files found`);
    assert.ok(graph.get('main/cli.ts')!.includes('main/session/session.ts'));
    assert.deepEqual(crossings(/^main\/probes\/suite\.ts$/, /^main\/probes\/runner\.ts$/), ['main/probes/suite.ts -> main/probes/runner.ts']);
  });

  it('the engine imports neither the store, the renderers, the session nor any face', () => {
    assert.deepEqual(crossings(ENGINE, ABOVE_ENGINE), []);
  });

  it('renderers only render: no store, session or face', () => {
    assert.deepEqual(crossings(RENDER, ABOVE_RENDER), []);
  });

  it('the store keeps what it is given: no session or face', () => {
    assert.deepEqual(crossings(STORE, ABOVE_STORE), []);
  });

  it('the agent layer (agent, paging, watcher) imports no face', () => {
    assert.deepEqual(crossings(AGENT, FACES), []);
  });

  it('the contract (IPC included) imports only the contract and the settings schema: no logic, no module state', () => {
    const outside = [...graph].flatMap(([file, deps]) => (CONTRACT.test(file) ? deps.filter((d) => !CONTRACT_DEPS.test(d)).map((d) => `${file} -> ${d}`) : []));
    assert.deepEqual(outside, []);
    assert.deepEqual(graph.get('main/settings-schema.ts'), [], 'the settings schema is a leaf');
  });

  it('has no import cycles', () => {
    assert.deepEqual(filesOnCycles(graph), []);
  });

  it('finds a planted cycle and a planted upward import (the checks can fail)', () => {
    const planted = new Map([['main/a.ts', ['main/b.ts']], ['main/b.ts', ['main/a.ts']]]);
    assert.deepEqual(filesOnCycles(planted), [['main/a.ts', 'main/b.ts', 'main/a.ts']]);
    assert.ok(ABOVE_ENGINE.test('main/store/keeper.ts') && ENGINE.test('main/probes/suite.ts'));
  });

  it('reads process.env only where the world is built (CLI, app, agent construction, probe child)', () => {
    const reads = files.filter((f) => f.startsWith('main/') && !ENV_EDGES.test(f)).flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8').split('\n').flatMap((line, i) => (/process\.env\b/.test(line) && !/^\s*(\/\/|\*)/.test(line) ? [`${file}:${i + 1}`] : [])));
    assert.deepEqual(reads, []);
  });
});
