import '../../helpers/electron-mock.ts';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { loadSettings } from '../../../main/settings.ts';
import { worldFiles } from '../../../main/world.ts';
import { Settings } from '../../../main/settings-schema.ts';
import { makeSettingsHome } from '../../helpers/world.ts';
import { ipcMain } from '../../mocks/electron.ts';

const { openSettingsStore, settingsJsonSchema } = await import('../../../main/app/settings-store.ts');

describe('settings store shared with the CLI', () => {
  let world: Awaited<ReturnType<typeof makeSettingsHome>>;
  beforeEach(async () => { world = await makeSettingsHome(); });
  afterEach(() => world.cleanup());

  it('resolves to exactly the CLI\'s settings file and starts from the defaults', async () => {
    const store = openSettingsStore(world.settingsPath);
    assert.equal(store.path, world.settingsPath);
    assert.deepEqual((await store.read()).settings, Settings.parse({}));
  });

  it('writes what the CLI then reads, keeping keys a newer version added', async () => {
    await mkdir(dirname(world.settingsPath), { recursive: true });
    await writeFile(world.settingsPath, JSON.stringify({ futureKey: 'kept' }));
    const store = openSettingsStore(world.settingsPath);
    const now = await store.read();
    await store.write({ ...now.settings, healthIntervalSec: 30, ntpServer: '127.0.0.1:12300', notifyClock: false, launchAtLogin: true }, now.revision);
    const cli = await loadSettings(world.settingsPath);
    assert.equal(cli.healthIntervalSec, 30);
    assert.equal(cli.ntpServer, '127.0.0.1:12300');
    assert.equal(cli.notifyClock, false);
    assert.equal(JSON.parse(await readFile(world.settingsPath, 'utf8')).futureKey, 'kept');
  });

  it('writes the settings file private to the user (it may hold paging webhooks and credentials)', async () => {
    const store = openSettingsStore(world.settingsPath);
    const now = await store.read();
    await store.write({ ...now.settings, healthIntervalSec: 45 }, now.revision);
    assert.equal((await stat(world.settingsPath)).mode & 0o777, 0o600);
  });

  it('refuses to write over a file an editor changed since it was read, and writes nothing', async () => {
    const store = openSettingsStore(world.settingsPath);
    const now = await store.read();
    await writeFile(world.settingsPath, JSON.stringify({ listenerExceptions: [{ port: 18789, reason: 'tailnet' }] }));
    await assert.rejects(store.write({ ...now.settings, healthIntervalSec: 45 }, now.revision), /the settings file changed since this form was loaded/);
    assert.equal(await readFile(world.settingsPath, 'utf8'), JSON.stringify({ listenerExceptions: [{ port: 18789, reason: 'tailnet' }] }));
    const again = await store.read();
    await store.write({ ...again.settings, healthIntervalSec: 45 }, again.revision);
    assert.deepEqual((await loadSettings(world.settingsPath)).listenerExceptions, [{ port: 18789, reason: 'tailnet' }], 'a save from the file as it is now keeps the edit');
  });

  it('refuses a file the schema rejects (and leaves it in place), like the CLI does', async () => {
    await mkdir(dirname(world.settingsPath), { recursive: true });
    await writeFile(world.settingsPath, JSON.stringify({ healthIntervalSec: 1 }));
    await assert.rejects(async () => openSettingsStore(world.settingsPath).read(), /healthIntervalSec/);
    await assert.rejects(loadSettings(world.settingsPath), /healthIntervalSec/);
    assert.equal(await readFile(world.settingsPath, 'utf8'), JSON.stringify({ healthIntervalSec: 1 }), 'never cleared');
    const store = openSettingsStore(worldFiles({}, `${world.home}/other`, process.platform).settings);
    const now = await store.read();
    await assert.rejects(store.write({ ...now.settings, clockWarnMs: -1 }, now.revision));
  });

  it('derives its JSON schema from the zod Settings, agreeing on good and bad values', () => {
    const validate = new Ajv2020({ strict: false }).compile({ type: 'object', properties: settingsJsonSchema() });
    const samples: unknown[] = [
      {}, { healthIntervalSec: 4 }, { healthIntervalSec: 5 }, { ntpServer: 'time.apple.com:123' }, { ntpServer: 'bad host' },
      { metricsPort: null }, { metricsPort: 80 }, { notifyGateway: 'yes' }, { listenerExceptions: [{ port: 18789, reason: 'tailnet' }] },
      { listenerExceptions: [{ port: 'x' }] }, { launchAtLogin: true },
    ];
    for (const sample of samples) assert.equal(validate(structuredClone(sample)), Settings.safeParse(sample).success, JSON.stringify(sample));
    for (const key of ['notifyGateway', 'notifyListeners', 'notifyClock', 'notifyEgress', 'launchAtLogin']) assert.ok(key in settingsJsonSchema(), key);
  });

  it('closes electron-store\'s renderer channel: our stores live only in main', () => {
    openSettingsStore(world.settingsPath);
    assert.equal(ipcMain.listenerCount('electron-store-get-data'), 0);
  });
});
