import '../../helpers/electron-mock.ts';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calls, protocol } from '../../mocks/electron.ts';

const { APP_URL, CSP, createAppHandler, registerAppScheme, resolveRequestPath, serveRenderer } = await import('../../../main/app/protocol.ts');

describe('app:// protocol', () => {
  let base: string;
  let root: string;
  let handler: (request: Request) => Promise<Response>;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'clawbar-protocol-'));
    root = join(base, 'renderer');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>clawbar</title>');
    await writeFile(join(root, 'assets', 'index.js'), 'console.log(1)');
    await writeFile(join(root, 'assets', 'index.css'), 'body{}');
    // A secret beside the renderer folder, and one whose name starts like it.
    await writeFile(join(base, 'secret.txt'), 'secret');
    await mkdir(join(base, 'renderer-evil'));
    await writeFile(join(base, 'renderer-evil', 'x.js'), 'evil');
    handler = createAppHandler(root);
  });
  after(() => rm(base, { recursive: true, force: true }));

  it('registers app as a standard, secure scheme and serves it with protocol.handle', () => {
    registerAppScheme();
    assert.deepEqual(calls.privileged, [{ scheme: 'app', privileges: { standard: true, secure: true } }]);
    serveRenderer(root);
    assert.equal(typeof protocol.handlers.get('app'), 'function');
    assert.equal(APP_URL, 'app://clawbar/index.html');
  });

  it('serves the renderer with the right type and a strict CSP', async () => {
    for (const [path, type] of [['/', 'text/html'], ['/index.html', 'text/html'], ['/assets/index.js', 'text/javascript'], ['/assets/index.css', 'text/css']] as const) {
      const response = await handler(new Request(`app://clawbar${path}`));
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type')!, new RegExp(type));
      assert.equal(response.headers.get('content-security-policy'), CSP);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    }
    assert.match(CSP, /default-src 'none'/);
    assert.match(CSP, /script-src 'self'(;|$)/);
    assert.match(CSP, /connect-src 'none'/);
    assert.doesNotMatch(CSP, /unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('refuses path traversal in every spelling, with the CSP still set', async () => {
    const attempts = [
      'app://clawbar/../secret.txt',
      'app://clawbar/%2e%2e/secret.txt',
      'app://clawbar/assets/%2e%2e/%2e%2e/secret.txt',
      'app://clawbar/..%2fsecret.txt',
      'app://clawbar/..%2Fsecret.txt',
      'app://clawbar/..%5csecret.txt',
      'app://clawbar/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      'app://clawbar/..%2f..%2f..%2f..%2fetc%2fpasswd',
      'app://clawbar/index.html%00.js',
      'app://clawbar/%E0%A4%A',
      'app://clawbar/..%2frenderer-evil/x.js',
      'app://other/index.html',
      'app://clawbar.evil/index.html',
    ];
    for (const url of attempts) {
      const response = await handler(new Request(url));
      assert.ok(response.status === 403 || response.status === 404, `${url} → ${response.status}`);
      assert.notEqual(await response.text(), 'secret');
      assert.equal(response.headers.get('content-security-policy'), CSP);
    }
    assert.equal(resolveRequestPath(root, 'file:///etc/passwd'), null);
    assert.equal(resolveRequestPath(root, 'not a url'), null);
    assert.equal(resolveRequestPath(root, 'app://clawbar/assets/index.js'), join(root, 'assets', 'index.js'));
  });

  it('answers only GET and HEAD, and 404 for what does not exist', async () => {
    assert.equal((await handler(new Request('app://clawbar/index.html', { method: 'POST', body: 'x' }))).status, 405);
    const head = await handler(new Request('app://clawbar/index.html', { method: 'HEAD' }));
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    assert.equal((await handler(new Request('app://clawbar/missing.js'))).status, 404);
    assert.equal((await handler(new Request('app://clawbar/assets'))).status, 404, 'a directory is not a file');
  });
});
