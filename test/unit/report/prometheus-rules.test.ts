import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promtool } from '../../helpers/promtool.ts';
import { ROOT } from '../../helpers/world.ts';

const DIR = join(ROOT, 'deploy', 'prometheus');

describe('example Prometheus alerting rules (deploy/prometheus)', () => {
  it('pass promtool check rules', async () => {
    const run = await promtool(['check', 'rules', join(DIR, 'clawbar-rules.yml')]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /SUCCESS: 7 rules found/);
  });

  it('fire as their unit tests expect (promtool test rules): gateway down, exposure, clock skew, egress layer, stale metrics', async () => {
    const run = await promtool(['test', 'rules', join(DIR, 'clawbar-rules.test.yml')]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /SUCCESS/);
  });
});
