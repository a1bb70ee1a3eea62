import assert from 'node:assert/strict';
import { chmod, cp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBundle, listBundles, newBundleId } from '../../../main/fixes/bundle.ts';
import { readTrustedManifest, UntrustedBundle } from '../../../main/fixes/bundle-trust.ts';
import { isPlainAbsolute, labelProblem } from '../../../main/fixes/guards.ts';
import { openRequest, sealRequest } from '../../../main/fixes/request-seal.ts';
import { FixRefused } from '../../../main/fixes/types.ts';
import { makeHome } from '../../helpers/world.ts';

const TRUST = { key: Buffer.alloc(32, 3), uid: process.getuid?.() ?? -1 };
const OTHER_KEY = { ...TRUST, key: Buffer.alloc(32, 4) };
const PROXY = 'http://ops:S3cr%40t-9913@proxy.corp:3128';

describe('rollback bundles: signed, private, and read only when clawbar wrote them', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let root: string;
  let id: string;
  before(async () => {
    ({ home, cleanup } = await makeHome());
    root = join(home, 'fixes');
    id = newBundleId('proxy');
    await createBundle(root, {
      id, kind: 'proxy', summary: 'proxy', plistPath: '/Users/op/Library/LaunchAgents/ai.openclaw.gateway.plist', serviceTarget: 'gui/501/ai.openclaw.gateway',
      restart: 'kickstart', writes: [], commands: [], attachments: [], request: { kind: 'proxy', url: PROXY }, expect: [],
    }, TRUST);
  });
  after(() => cleanup());

  const refusal = async (reason: RegExp, bundleId = id, trust = TRUST) => {
    await assert.rejects(readTrustedManifest(root, bundleId, trust), (error: Error) => error instanceof FixRefused && reason.test(error.message));
  };

  it('reads what it wrote: private folder and manifest, the password sealed, unsealed with the key', async () => {
    const { manifest, dir } = await readTrustedManifest(root, id, TRUST);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    assert.equal((await stat(join(dir, 'manifest.json'))).mode & 0o777, 0o600);
    const text = await readFile(join(dir, 'manifest.json'), 'utf8');
    assert.ok(!text.includes('S3cr') && !decodeURIComponent(text).includes('S3cr@t'), 'no password in the clear');
    assert.equal(manifest.request.kind === 'proxy' && manifest.request.url, 'http://ops@proxy.corp:3128');
    assert.deepEqual(openRequest(manifest.request, manifest.sealed, TRUST.key), { kind: 'proxy', url: PROXY });
    assert.throws(() => openRequest(manifest.request, manifest.sealed, OTHER_KEY.key), /cannot be unsealed/);
    assert.deepEqual(sealRequest({ kind: 'bind' }, TRUST.key), { request: { kind: 'bind' }, sealed: null });
  });

  it('refuses another key, an edited manifest, extra fields, a copied folder, a link, and modes others could write', async () => {
    await refusal(/its signature does not match this account's key/, id, OTHER_KEY);
    const path = join(root, id, 'manifest.json');
    const original = await readFile(path, 'utf8');
    try {
      await writeFile(path, original.replace('"summary": "proxy"', '"summary": "proxy!"'));
      await refusal(/its signature does not match/);
      const parsed = JSON.parse(original) as Record<string, unknown>;
      await writeFile(path, JSON.stringify({ ...parsed, extra: 'x' }));
      await refusal(/carries fields clawbar never writes|its manifest is not one clawbar writes/);
      await writeFile(path, 'not json');
      await refusal(/its manifest is not JSON/);
    } finally {
      await writeFile(path, original, { mode: 0o600 });
    }
    const copy = newBundleId('proxy', new Date(Date.now() + 60_000));
    await cp(join(root, id), join(root, copy), { recursive: true });
    await refusal(/its manifest names another fix/, copy);
    await rm(join(root, copy), { recursive: true });

    const linked = newBundleId('proxy', new Date(Date.now() + 120_000));
    await symlink(join(root, id), join(root, linked));
    await refusal(/is a symbolic link/, linked);
    const listing = await listBundles(root, async () => TRUST);
    assert.deepEqual(listing.bundles.map((b) => b.id), [id]);
    assert.deepEqual(listing.ignored.map((i) => i.id), [linked]);
    await rm(join(root, linked));

    await chmod(path, 0o620);
    await refusal(/is writable by its group \(mode 0620\)/);
    await chmod(path, 0o600);
    await refusal(/is not a fix id/, '../../etc');
    await refusal(/there is no fix/, newBundleId('ca', new Date(0)));
    assert.ok(new UntrustedBundle('x', 'y', 'z') instanceof FixRefused);
  });

  it('names only plain absolute paths and reverse-DNS labels', () => {
    for (const good of ['/Users/op/.openclaw/openclaw.json', '/Library/LaunchDaemons/ai.openclaw.gateway.plist']) assert.equal(isPlainAbsolute(good), true, good);
    for (const bad of ['relative/path', '/a/../b', '/a/./b', '/a//b', '/a/b/', '']) assert.equal(isPlainAbsolute(bad), false, bad);
    for (const good of ['ai.openclaw.gateway', 'ai.openclaw.work-2', 'com.example_x']) assert.equal(labelProblem(good), null, good);
    for (const bad of ['../../x', 'a/b', '..', '.', 'a b', 'ai.openclaw.gateway\n', '']) assert.match(labelProblem(bad) ?? '', /is not a reverse-DNS name/, JSON.stringify(bad));
  });
});
