import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeBinary } from '../../../main/contract.ts';
import { changesText, changeText, emptyRuntime, noteRuntime } from '../../../main/probes/upgrade.ts';

const node = (path: string, version: string | null, realPath = path): NodeBinary => ({ path, realPath, size: 100, mtimeMs: 1, version });
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 10, minute));

describe('noticing an upgrade under the daemon', () => {
  it('the first sight of a version and a binary only remembers them', () => {
    const { next, changes } = noteRuntime(emptyRuntime(), { gatewayVersion: '2026.9.6', node: node('/opt/homebrew/bin/node', 'v24.1.0') }, at(0));
    assert.deepEqual(changes, []);
    assert.equal(next.pending, null);
    assert.deepEqual([next.gatewayVersion, next.node?.version], ['2026.9.6', 'v24.1.0']);
  });

  it('a new gateway version is a change, pending until compared; a gateway not answering forgets nothing', () => {
    const seen = noteRuntime(emptyRuntime(), { gatewayVersion: '2026.9.6', node: null }, at(0)).next;
    const down = noteRuntime(seen, { gatewayVersion: null, node: null }, at(1));
    assert.deepEqual([down.changes, down.next.gatewayVersion], [[], '2026.9.6']);
    const { next, changes } = noteRuntime(down.next, { gatewayVersion: '2026.9.7', node: null }, at(2));
    assert.deepEqual(changes, [{ what: 'gateway', before: '2026.9.6', after: '2026.9.7' }]);
    assert.deepEqual(next.pending, { since: at(2).toISOString(), changes });
    assert.equal(noteRuntime(next, { gatewayVersion: '2026.9.7', node: null }, at(3)).next.pending?.since, at(2).toISOString(), 'a quiet look keeps the pending change as it was');
  });

  it('another node path or version is a change; the same version reinstalled, or a version that could not be asked, is not', () => {
    const seen = noteRuntime(emptyRuntime(), { gatewayVersion: null, node: node('/opt/homebrew/bin/node', 'v24.1.0', '/opt/homebrew/Cellar/node/24.1.0/bin/node') }, at(0)).next;
    const reinstalled = noteRuntime(seen, { gatewayVersion: null, node: { ...node('/opt/homebrew/bin/node', 'v24.1.0', '/opt/homebrew/Cellar/node/24.1.0/bin/node'), mtimeMs: 9 } }, at(1));
    assert.deepEqual(reinstalled.changes, []);
    assert.equal(reinstalled.next.node?.mtimeMs, 9, 'the new fingerprint is remembered');
    assert.deepEqual(noteRuntime(seen, { gatewayVersion: null, node: node('/opt/homebrew/bin/node', null) }, at(1)).changes, []);
    const brew = noteRuntime(seen, { gatewayVersion: null, node: node('/opt/homebrew/bin/node', 'v24.2.0', '/opt/homebrew/Cellar/node/24.2.0/bin/node') }, at(1));
    assert.deepEqual(brew.changes, [{ what: 'node', before: { path: '/opt/homebrew/bin/node', version: 'v24.1.0' }, after: { path: '/opt/homebrew/bin/node', version: 'v24.2.0' } }]);
    const moved = noteRuntime(seen, { gatewayVersion: null, node: node('/usr/local/bin/node', 'v24.1.0') }, at(1));
    assert.equal(changeText(moved.changes[0]!), 'node /opt/homebrew/bin/node → /usr/local/bin/node');
    assert.equal(changeText(brew.changes[0]!), 'node v24.1.0 → v24.2.0');
  });

  it('changes seen before the comparison ran merge: the first before, the latest after; one undone is none', () => {
    let state = noteRuntime(emptyRuntime(), { gatewayVersion: '2026.9.6', node: node('/a/node', 'v24.1.0') }, at(0)).next;
    state = noteRuntime(state, { gatewayVersion: '2026.9.7', node: node('/a/node', 'v24.1.0') }, at(1)).next;
    state = noteRuntime(state, { gatewayVersion: '2026.9.8', node: node('/b/node', 'v24.2.0') }, at(2)).next;
    assert.equal(changesText(state.pending!.changes), 'gateway 2026.9.6 → 2026.9.8 and node v24.1.0 at /a/node → v24.2.0 at /b/node');
    assert.equal(state.pending!.since, at(2).toISOString());
    state = noteRuntime(state, { gatewayVersion: '2026.9.6', node: node('/a/node', 'v24.1.0') }, at(3)).next;
    assert.equal(state.pending, null, 'both rolled back before anything was compared');
  });
});
