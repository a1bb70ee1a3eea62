import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readLaunchdJob } from '../../../main/service/plist.ts';
import { InputError } from '../../../main/system/errors.ts';
import { FIXTURES, makeHome, writeService } from '../../helpers/world.ts';

describe('launchd plist parsing', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ home, cleanup } = await makeHome()));
  after(() => cleanup());

  it('XML and binary plists of the same job give the same result', async () => {
    const xml = await writeService(join(home, 'xml'), { inline: { HTTPS_PROXY: 'http://127.0.0.1:3128' } });
    const bin = await writeService(join(home, 'bin'), { inline: { HTTPS_PROXY: 'http://127.0.0.1:3128' }, binary: true });
    const a = await readLaunchdJob(xml.plistPath);
    const b = await readLaunchdJob(bin.plistPath);
    assert.equal(a.format, 'xml');
    assert.equal(b.format, 'binary');
    const strip = (job: typeof a, root: string) => JSON.parse(JSON.stringify({ ...job, format: null }).replaceAll(root, '<home>'));
    assert.deepEqual(strip(a, join(home, 'xml')), strip(b, join(home, 'bin')));
    assert.equal(a.label, 'ai.openclaw.gateway');
    assert.equal(a.programArguments?.[0], '/bin/sh');
    assert.deepEqual(a.environmentVariables, { HTTPS_PROXY: 'http://127.0.0.1:3128' });
    assert.equal(a.keepAlive, true);
    assert.deepEqual(a.problems, []);
  });

  it('reads the real Homebrew LaunchDaemon and template fixtures', async () => {
    const daemon = await readLaunchdJob(join(FIXTURES, 'macos', 'plist-launchdaemon-env-1.plist'));
    assert.equal(daemon.userName, 'cool21540125');
    assert.deepEqual(daemon.environmentVariables, { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' });
    assert.equal(daemon.programArguments?.at(-1), '--httpPort=8080');
    const template = await readLaunchdJob(join(FIXTURES, 'macos', 'plist-homebrew-env-template-1.plist'));
    assert.ok(template.label);
    assert.deepEqual(template.problems, []);
  });

  const bad: Array<[string, string | Buffer, RegExp]> = [
    ['truncated.plist', '<?xml version="1.0"?>\n<plist version="1.0"><dict><key>Label</key><string>x</str', /not well-formed XML/],
    ['array.plist', '<?xml version="1.0"?><plist version="1.0"><array><string>x</string></array></plist>', /not a launchd job: its top level is an array/],
    ['garbage.plist', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x42, 0x99]), /neither an XML nor a binary/],
    ['bad-binary.plist', Buffer.concat([Buffer.from('bplist00'), Buffer.alloc(64, 0xee)]), /not a valid binary plist/],
    ['empty.plist', '', /neither an XML nor a binary/],
  ];
  for (const [name, content, message] of bad) {
    it(`refuses ${name} with a clear InputError`, async () => {
      const path = join(home, name);
      await writeFile(path, content);
      await assert.rejects(readLaunchdJob(path), (error: unknown) => error instanceof InputError && message.test(error.message) && error.message.includes(path));
    });
  }

  it('keeps reading a job whose ProgramArguments is not an array, and names the problem', async () => {
    const path = join(home, 'args.plist');
    await writeFile(path, '<?xml version="1.0"?><plist version="1.0"><dict><key>Label</key><string>ai.openclaw.gateway</string><key>ProgramArguments</key><string>/bin/sh</string></dict></plist>');
    const job = await readLaunchdJob(path);
    assert.equal(job.label, 'ai.openclaw.gateway');
    assert.equal(job.programArguments, null);
    assert.ok(job.problems.includes('ProgramArguments must be an array of strings'));
  });

  it('refuses a 50 MB file without reading it, an unreadable file, a directory and a symlink loop', async () => {
    const huge = join(home, 'huge.plist');
    await writeFile(huge, Buffer.alloc(50 * 1024 * 1024, 0x20));
    await assert.rejects(readLaunchdJob(huge), /larger than the .*-byte limit/);
    const locked = join(home, 'locked.plist');
    await writeFile(locked, '<plist/>', { mode: 0o000 });
    await chmod(locked, 0o000);
    if (process.getuid?.() !== 0) await assert.rejects(readLaunchdJob(locked), /permission denied/);
    await mkdir(join(home, 'dir.plist'));
    await assert.rejects(readLaunchdJob(join(home, 'dir.plist')), /not a regular file|is a directory/);
    await symlink(join(home, 'loop-b.plist'), join(home, 'loop-a.plist'));
    await symlink(join(home, 'loop-a.plist'), join(home, 'loop-b.plist'));
    await assert.rejects(readLaunchdJob(join(home, 'loop-a.plist')), /too many levels of symbolic links/);
    assert.ok((await readdir(home)).length > 0);
  });
});
