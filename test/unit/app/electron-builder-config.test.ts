import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { ROOT } from '../../helpers/world.ts';

const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8'));
const text = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');
const config = parse(text);
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

describe('electron-builder.yml', () => {
  it('is valid against electron-builder\'s own JSON schema', () => {
    assert.equal(validate(config), true, JSON.stringify(validate.errors, null, 2));
  });

  it('fails the schema with a misspelled key, at any level', () => {
    for (const mutate of [
      (c: any) => { c.mac.hardendRuntime = c.mac.hardenedRuntime; delete c.mac.hardenedRuntime; },
      (c: any) => { c.electronFuses.runAsNod = false; },
      (c: any) => { c.asarUnpak = c.asarUnpack; },
      (c: any) => { c.mac.target[0].arch = 'arm64e'; },
      (c: any) => { c.mac.hardenedRuntime = 'yes'; },
    ]) {
      const copy = structuredClone(config);
      mutate(copy);
      assert.equal(validate(copy), false);
      assert.ok(validate.errors!.length > 0);
    }
  });

  it('builds a hardened, notarized menu-bar app with the fuses chosen on purpose', () => {
    assert.equal(config.mac.hardenedRuntime, true);
    assert.equal(config.mac.notarize, true);
    assert.equal(config.mac.forceCodeSigning, true);
    assert.equal(config.mac.extendInfo.LSUIElement, true);
    assert.ok(config.mac.extendInfo.NSLocalNetworkUsageDescription.length > 20);
    assert.deepEqual(config.mac.target.map((t: { target: string; arch: string[] }) => `${t.target}:${t.arch}`), ['dmg:arm64', 'zip:arm64']);
    assert.equal(config.electronFuses.runAsNode, false);
    assert.equal(config.electronFuses.enableNodeOptionsEnvironmentVariable, false);
    assert.equal(config.electronFuses.enableNodeCliInspectArguments, false);
    assert.equal(config.electronFuses.onlyLoadAppFromAsar, true);
    assert.equal(config.electronFuses.enableEmbeddedAsarIntegrityValidation, true);
    assert.match(text, /runAsNode: false/);
    assert.match(text.split('runAsNode: false')[0]!.split('electronFuses:')[1]!, /probe child/, 'the runAsNode choice is explained where it is made');
  });

  it('packs the bundles, keeps the probe child outside asar and the tray images as resources', () => {
    assert.ok(config.files.includes('out/**'));
    assert.ok(config.asarUnpack.includes('out/child/**'));
    const tray = config.extraResources.find((r: { to: string }) => r.to === 'tray');
    assert.equal(tray.from, 'main/app/assets');
    for (const name of ['tray-okTemplate', 'tray-unknownTemplate', 'tray-warn', 'tray-critical']) {
      for (const suffix of ['.png', '@2x.png']) assert.ok(existsSync(join(ROOT, tray.from, `${name}${suffix}`)), `${name}${suffix}`);
    }
    for (const file of [config.mac.entitlements, config.mac.entitlementsInherit, 'build/icon.png']) assert.ok(existsSync(join(ROOT, file)), file);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.main, 'out/main/index.js');
  });

  it('keeps credentials out of the repository: only their variable names appear', () => {
    assert.doesNotMatch(text, /^\s*(cscLink|cscKeyPassword|identity|appleId|appleIdPassword|teamId)\s*:/m);
    assert.doesNotMatch(text, /-----BEGIN|[A-Za-z0-9+/=]{120,}/, 'no key material or base64 blobs');
    for (const name of ['CSC_LINK', 'CSC_KEY_PASSWORD', 'APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER']) assert.match(text, new RegExp(name));
  });

  it('asks only for the hardened-runtime exception V8 needs', () => {
    for (const file of [config.mac.entitlements, config.mac.entitlementsInherit]) {
      const keys = [...readFileSync(join(ROOT, file), 'utf8').matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1]);
      assert.deepEqual(keys, ['com.apple.security.cs.allow-jit'], file);
    }
  });
});
