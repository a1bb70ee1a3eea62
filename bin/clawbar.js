#!/usr/bin/env node
// The engine is TypeScript run by Node's own type stripping (Node >= 22.18 / 24),
// so a checkout works after `npm ci` with no build step.
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18) || major === 23) {
  process.stderr.write(
    `clawbar needs Node 24 (found ${process.versions.node}). Run it through npx or npm run, which use the project's Node 24.\n`,
  );
  process.exit(70);
}

/**
 * Node's compile cache keeps the type-stripped source and V8's code cache of
 * every module between runs, so a start-up after the first one neither loads
 * the TypeScript stripper nor compiles anything again (operators run `status`
 * dozens of times in an incident). Per user, never a shared temp folder: a
 * cache another user could write would be code this process runs.
 * NODE_COMPILE_CACHE still wins and NODE_DISABLE_COMPILE_CACHE turns it off.
 */
function compileCacheDir() {
  const env = process.env;
  if (env.NODE_COMPILE_CACHE) return env.NODE_COMPILE_CACHE;
  const home = env.HOME || homedir();
  const caches = process.platform === 'darwin' ? join(home, 'Library', 'Caches') : env.XDG_CACHE_HOME || join(home, '.cache');
  return join(caches, 'clawbar', 'compile-cache');
}
module.enableCompileCache?.(compileCacheDir());

const { main } = await import('../main/cli.ts');
process.exitCode = await main(process.argv.slice(2));
