import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { appPaths } from '../../../main/app/app-paths.ts';
import { CHILD_SCRIPT, childScript } from '../../../main/probes/runner.ts';

describe('where the app finds its files', () => {
  it('uses the checkout in development and Contents/Resources when packaged', () => {
    assert.deepEqual(appPaths('/src/clawbar', false, '/unused'), {
      renderer: join('/src/clawbar', 'out', 'renderer'),
      preload: join('/src/clawbar', 'out', 'preload', 'index.cjs'),
      trayAssets: join('/src/clawbar', 'main', 'app', 'assets'),
    });
    const resources = '/Applications/clawbar.app/Contents/Resources';
    const packaged = appPaths(`${resources}/app.asar`, true, resources);
    assert.equal(packaged.renderer, `${resources}/app.asar/out/renderer`);
    assert.equal(packaged.trayAssets, `${resources}/tray`);
  });

  it('runs the probe child from source in the CLI and from app.asar.unpacked in the app', () => {
    assert.match(CHILD_SCRIPT, /main[\\/]probes[\\/]child\.ts$/);
    assert.equal(childScript('/src/clawbar/out/main', false), '/src/clawbar/out/child/child.mjs');
    const resources = '/Applications/clawbar.app/Contents/Resources';
    assert.equal(childScript(`${resources}/app.asar/out/main`, false), `${resources}/app.asar.unpacked/out/child/child.mjs`);
  });
});
