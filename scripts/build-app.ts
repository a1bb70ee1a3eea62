/**
 * Bundles the Electron side of the app with Vite's JS API (the renderer has
 * its own config, renderer/vite.config.ts):
 *
 * - out/main/index.js — main/app/index.ts with the whole engine, ES module
 *   (package.json "main"); only 'electron' and Node's built-ins stay external,
 *   so the packaged app needs no node_modules.
 * - out/preload/index.cjs — CommonJS, because a sandboxed preload cannot load
 *   ES modules; it may only require 'electron'.
 * - out/child/child.mjs — the probe child, plain JavaScript so whichever node
 *   the daemon uses can run it (no type stripping needed), kept outside the
 *   asar archive by electron-builder so that node can read it.
 *
 * Run with `node scripts/build-app.ts` (part of `npm run build`); tests
 * import `buildApp` to bundle into a temporary folder.
 */
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { build, type InlineConfig } from 'vite';

const ROOT = join(import.meta.dirname, '..');
/** Electron 45's Node line; the probe child must also run on an older node a gateway may still use. */
const NODE_TARGET = 'node22';
const NODE_BUILTINS = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

export type BundleName = 'main' | 'preload' | 'child';
interface Bundle { name: BundleName; entry: string; fileName: string; format: 'es' | 'cjs'; external: string[] }

const BUNDLES: Bundle[] = [
  { name: 'child', entry: 'main/probes/child.ts', fileName: 'child.mjs', format: 'es', external: NODE_BUILTINS },
  { name: 'main', entry: 'main/app/index.ts', fileName: 'index.js', format: 'es', external: ['electron', ...NODE_BUILTINS] },
  { name: 'preload', entry: 'preload/index.ts', fileName: 'index.cjs', format: 'cjs', external: ['electron'] },
];

function config(bundle: Bundle, outDir: string): InlineConfig {
  return {
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    ssr: { noExternal: true, target: 'node' },
    build: {
      ssr: bundle.entry,
      outDir,
      emptyOutDir: true,
      target: NODE_TARGET,
      minify: false,
      sourcemap: false,
      reportCompressedSize: false,
      rolldownOptions: {
        external: bundle.external,
        output: { format: bundle.format, entryFileNames: bundle.fileName, codeSplitting: false },
      },
    },
  };
}

/** Bundles into `<outRoot>/<name>/` (out/main, out/preload, out/child by default). */
export async function buildApp(outRoot = join(ROOT, 'out'), names: BundleName[] = ['child', 'main', 'preload']): Promise<void> {
  for (const bundle of BUNDLES.filter((b) => names.includes(b.name))) await build(config(bundle, join(outRoot, bundle.name)));
}

if (import.meta.main) await buildApp();
