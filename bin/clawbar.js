#!/usr/bin/env node
// The engine is TypeScript run by Node's own type stripping (Node >= 22.18 / 24),
// so a checkout works after `npm ci` with no build step.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18) || major === 23) {
  process.stderr.write(
    `clawbar needs Node 24 (found ${process.versions.node}). Run it through npx or npm run, which use the project's Node 24.\n`,
  );
  process.exit(70);
}
const { main } = await import('../main/cli.ts');
process.exitCode = await main(process.argv.slice(2));
