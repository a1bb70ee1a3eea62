import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reverseNamer, REVERSE_LOOKUPS_PER_WINDOW, REVERSE_TTL_MS } from '../../../main/glance/egress-sample.ts';

/**
 * The reverse names of a sampler that lives as long as the watcher: a
 * stand-in resolver counts the lookups and names 192.0.2.N "host-N" (or
 * "renamed-N" once the test re-points it).
 */
describe('egress: reverse names over a watcher-long life', () => {
  const world = () => {
    let clock = Date.UTC(2026, 11, 2, 8);
    let prefix = 'host';
    const asked: string[] = [];
    const reverse = reverseNamer({
      now: () => clock,
      lookup: async (address) => { asked.push(address); return `${prefix}-${address.split('.').at(-1)}`; },
    });
    return { reverse, asked, later: (ms: number) => { clock += ms; }, rename: (to: string) => { prefix = to; } };
  };
  const address = (n: number) => `192.0.2.${n}`;

  it('an address seen again is not asked again while its name is fresh', async () => {
    const { reverse, asked } = world();
    assert.equal(await reverse(address(1), 443), 'host-1');
    assert.equal(await reverse(address(1), 443), 'host-1');
    assert.deepEqual(asked, [address(1)]);
  });

  it('past the lookups of one window, new addresses are named in the next one, not never', async () => {
    const { reverse, asked, later } = world();
    const past = REVERSE_LOOKUPS_PER_WINDOW + 6;
    for (let n = 1; n <= past; n++) await reverse(address(n), 443);
    assert.equal(asked.length, REVERSE_LOOKUPS_PER_WINDOW, 'a scanner in the tree cannot make a sample wait on thousands of lookups');
    assert.equal(await reverse(address(past), 443), null, 'not named yet');
    later(REVERSE_TTL_MS + 1);
    assert.equal(await reverse(address(past), 443), `host-${past}`, 'named once the window turned');
    assert.equal(await reverse(address(1), 443), 'host-1');
  });

  it('a name is asked again once it is old (an address re-pointed keeps no stale name for the life of the watcher)', async () => {
    const { reverse, asked, later, rename } = world();
    assert.equal(await reverse(address(7), 443), 'host-7');
    rename('renamed');
    later(REVERSE_TTL_MS - 1);
    assert.equal(await reverse(address(7), 443), 'host-7');
    later(2);
    assert.equal(await reverse(address(7), 443), 'renamed-7');
    assert.equal(asked.length, 2);
  });

  it('names still fresh are kept while hours of new addresses pass through', async () => {
    const { reverse, asked, later } = world();
    let n = 1;
    for (let hour = 0; hour < 8; hour++) {
      const before = asked.length;
      assert.equal(await reverse(address(1), 443), 'host-1');
      for (let i = 1; i < REVERSE_LOOKUPS_PER_WINDOW; i++) await reverse(`198.51.100.${n++ % 250}`, 443);
      assert.equal(await reverse(address(1), 443), 'host-1');
      assert.equal(asked.length - before, REVERSE_LOOKUPS_PER_WINDOW, 'the address in use asked once an hour, each new one once');
      later(REVERSE_TTL_MS + 1);
    }
  });
});
