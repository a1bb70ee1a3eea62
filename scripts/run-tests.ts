/**
 * `npm test` after the type check: every test file under Node's test runner,
 * one file at a time, no test longer than 15 minutes. Run as root (as CI
 * runs it), the tests run in a network namespace of their own with only
 * loopback up: no test can reach an address beyond this machine even by
 * mistake — a lookup of a public host fails at once instead of leaving.
 * Otherwise the tests' own rule holds: every peer on 127.0.0.1 or ::1.
 * Arguments replace the default file pattern (`npm test -- test/unit/paging`).
 */
import { spawnSync } from 'node:child_process';

const files = process.argv.length > 2 ? process.argv.slice(2) : ['test/**/*.test.ts'];
const args = ['--test', '--test-concurrency=1', '--test-timeout=900000', ...files];

const isolate = process.getuid?.() === 0 && !process.env.CLAWBAR_TEST_NETNS && spawnSync('unshare', ['--version']).status === 0;
const run = isolate
  ? spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, ...args], { stdio: 'inherit', env: { ...process.env, CLAWBAR_TEST_NETNS: '1' } })
  : spawnSync(process.execPath, args, { stdio: 'inherit' });
if (isolate) console.log('(the tests ran in a network namespace of their own: loopback only)');
process.exit(run.status ?? 1);
