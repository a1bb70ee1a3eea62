import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { loadSettings } from '../../../main/settings.ts';
import { Settings } from '../../../main/settings-schema.ts';
import { openSettingsFile } from '../../../main/store/settings-file.ts';
import { makeSettingsHome } from '../../helpers/world.ts';

/** A settings file as an operator edits it by hand: what the popover's form does not show, and a key a newer clawbar wrote. */
const HAND = {
  futureKey: { kept: true },
  healthIntervalSec: 30,
  listenerExceptions: [{ port: 18789, reason: 'tailnet, token auth' }],
  paging: {
    notifiers: [
      { kind: 'webhook', name: 'hook', url: 'https://hooks.example.test/HookPath1', headers: { 'x-api-key': 'HeaderValue1' } },
      { kind: 'alertmanager', name: 'am', url: 'http://am.example.test:9093', password: 'AmPassword1', labels: { team: 'ops' } },
    ],
    checks: { gateway: { failureWindowSec: 300 } },
  },
};

describe('settings file: read as it is now, written only over the revision read', () => {
  let world: Awaited<ReturnType<typeof makeSettingsHome>>;
  beforeEach(async () => { world = await makeSettingsHome(); });
  afterEach(() => world.cleanup());
  const handWrite = async (data: unknown, spacing = 2) => {
    await mkdir(dirname(world.settingsPath), { recursive: true });
    await writeFile(world.settingsPath, JSON.stringify(data, null, spacing), { mode: 0o600 });
  };

  it('no file: the defaults; a revision per content of the file, any byte changing it', async () => {
    const file = openSettingsFile(world.settingsPath);
    const none = await file.read();
    assert.deepEqual(none.settings, Settings.parse({}));
    await handWrite(HAND);
    const first = await file.read();
    assert.deepEqual(first.settings, await loadSettings(world.settingsPath), 'the same settings as the CLI reads');
    assert.notEqual(first.revision, none.revision);
    assert.equal((await file.read()).revision, first.revision, 'the same bytes, the same revision');
    await handWrite(HAND, 4);
    assert.notEqual((await file.read()).revision, first.revision, 'a change of layout only is a change too');
  });

  it('a revision is keyed: neither a plain hash of the file (whose secrets the renderer could guess at) nor the same from another opening', async () => {
    await handWrite(HAND);
    const bytes = await readFile(world.settingsPath);
    const { revision } = await openSettingsFile(world.settingsPath).read();
    assert.match(revision, /^[\w-]{32}$/);
    for (const digest of ['hex', 'base64url', 'base64'] as const) assert.ok(!createHash('sha256').update(bytes).digest(digest).startsWith(revision.slice(0, 12)), digest);
    assert.notEqual((await openSettingsFile(world.settingsPath).read()).revision, revision);
  });

  it('a write over the revision read keeps what the file holds beyond the settings given (keys of a newer version), 0600; the answer is the file as written', async () => {
    await handWrite(HAND);
    const file = openSettingsFile(world.settingsPath);
    const read = await file.read();
    const written = await file.write({ ...read.settings, clockWarnMs: 2_500 }, read.revision);
    const data = JSON.parse(await readFile(world.settingsPath, 'utf8')) as typeof HAND & { clockWarnMs: number };
    assert.equal(data.clockWarnMs, 2_500);
    assert.deepEqual(data.futureKey, { kept: true });
    assert.deepEqual(data.listenerExceptions, HAND.listenerExceptions);
    assert.deepEqual(data.paging.notifiers, HAND.paging.notifiers);
    assert.equal((await stat(world.settingsPath)).mode & 0o777, 0o600);
    assert.deepEqual(written, await file.read());
    assert.equal(written.settings.clockWarnMs, 2_500);
  });

  it('refuses a write over a file changed since it was read (an editor saved meanwhile), writing nothing', async () => {
    await handWrite(HAND);
    const file = openSettingsFile(world.settingsPath);
    const read = await file.read();
    const edited = { ...HAND, listenerExceptions: [{ port: 18790, reason: 'added in the editor' }] };
    await handWrite(edited);
    const before = await readFile(world.settingsPath, 'utf8');
    await assert.rejects(file.write({ ...read.settings, clockWarnMs: 2_500 }, read.revision), /^Error: the settings file changed since this form was loaded; reload it and edit again$/);
    assert.equal(await readFile(world.settingsPath, 'utf8'), before, 'the editor\'s change stands');
  });

  it('of two writes from the same revision at once, one is written and the other refused', async () => {
    await handWrite(HAND);
    const file = openSettingsFile(world.settingsPath);
    const read = await file.read();
    const results = await Promise.allSettled([file.write({ ...read.settings, clockWarnMs: 2_000 }, read.revision), file.write({ ...read.settings, clockWarnMs: 3_000 }, read.revision)]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected']);
    assert.equal((await loadSettings(world.settingsPath)).clockWarnMs, 2_000);
  });

  it('a file that does not parse is an error naming it, and is never written over', async () => {
    await handWrite({ healthIntervalSec: 1 });
    const file = openSettingsFile(world.settingsPath);
    await assert.rejects(file.read(), /healthIntervalSec/);
    await assert.rejects(file.write(Settings.parse({}), 'any'), /healthIntervalSec/);
    assert.deepEqual(JSON.parse(await readFile(world.settingsPath, 'utf8')), { healthIntervalSec: 1 });
  });
});
