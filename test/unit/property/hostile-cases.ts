import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBinary } from 'plist';
import { bundleCertificates, parseCertificates } from '../../../main/fixes/certificates.ts';
import { parseProxyUrl } from '../../../main/fixes/proxy.ts';
import { parseScutilDns } from '../../../main/probes/scutil-dns.ts';
import { loadAllowlist } from '../../../main/probes/targets.ts';
import { parseDotenv, readDotenvFile } from '../../../main/service/dotenv-file.ts';
import { evaluateEnvFile, OPENCLAW_ENV_HEADER } from '../../../main/service/env-file.ts';
import { parsePrintBlocks } from '../../../main/service/launchctl.ts';
import { parsePlistBytes } from '../../../main/service/plist.ts';
import { InputError, UsageError } from '../../../main/system/errors.ts';
import { Redactor, urlCredentials } from '../../../main/system/redact.ts';

/**
 * The hostile inputs of the security review, at the sizes it reported, each
 * with what it cost before: run by hostile-input.test.ts in a worker that is
 * stopped when it overruns its budget, so a regression fails fast instead of
 * hanging the suite. Each case also checks the answer, not only the time.
 */
export interface HostileCase {
  /** What the review measured before the fix. */
  before: string;
  run: () => Promise<void> | void;
}

async function withFile<T>(name: string, content: string, use: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'clawbar-hostile-'));
  try {
    const path = join(dir, name);
    await writeFile(path, content);
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const plistWith = (value: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict><key>Label</key><string>ai.openclaw.gateway</string>
<key>EnvironmentVariables</key><dict><key>OPENCLAW_GATEWAY_TOKEN</key><string>${value}</string></dict></dict></plist>`);

export const CASES: Record<string, HostileCase> = {
  'scutil --dns with an 8 KB line of spaces': {
    before: '150 s (cubic)',
    run: () => {
      const resolvers = parseScutilDns(`resolver #1\n${' '.repeat(8 * 1024)}\n  nameserver[0] : 192.0.2.53\n`);
      assert.deepEqual(resolvers[0]?.nameservers, ['192.0.2.53']);
    },
  },
  'allowlist YAML of "? " repeated 800 times': {
    before: '175 s',
    run: () => withFile('allowlist.yaml', '? '.repeat(800), async (path) => {
      await assert.rejects(loadAllowlist(path), (error) => error instanceof InputError && !/\n/.test(error.message));
    }),
  },
  'allowlist YAML nesting flow collections 20 000 deep': {
    before: 'a stack overflow reported as YAML text',
    run: () => withFile('allowlist.yaml', '['.repeat(20_000), async (path) => {
      await assert.rejects(loadAllowlist(path), /nests deeper than an allowlist needs/);
    }),
  },
  'redactor on a-a-a-… of 64 KB': {
    before: '4 s at 40 KB',
    run: () => {
      const text = 'a-'.repeat(32 * 1024);
      assert.equal(new Redactor().add('s3cret-value').text(text), text);
    },
  },
  'launchctl print value padded with 64 000 spaces': {
    before: '5 s at 40 000',
    run: () => {
      const value = `${' '.repeat(64_000)}tail`;
      assert.equal(parsePrintBlocks(`\tkey = ${value}\n`).values.get('key'), value);
    },
  },
  'dotenv file of 64 000 blank lines': {
    before: '3 s at 20 000',
    run: () => withFile('.env', `${'\n'.repeat(64_000)}KEY=value\n`, async (path) => {
      assert.deepEqual(parseDotenv('\n'.repeat(64_000)), {});
      assert.deepEqual(await readDotenvFile(path), { KEY: 'value' });
    }),
  },
  'PEM bundle of 32 000 BEGIN lines': {
    before: 'quadratic past 8 000 lines',
    run: () => {
      const text = '-----BEGIN CERTIFICATE-----\n'.repeat(32_000);
      assert.deepEqual(bundleCertificates(text), { certs: [], skipped: 0 });
      assert.throws(() => parseCertificates(Buffer.from(text), 'ca.pem'), InputError);
    },
  },
  'env file nesting ${B:-${B:-…}} 100 000 deep': {
    before: 'RangeError: Maximum call stack size exceeded',
    run: () => {
      const depth = 100_000;
      const result = evaluateEnvFile(`${OPENCLAW_ENV_HEADER}\nexport A=1\nexport X=${'${B:-'.repeat(depth)}x${'}'.repeat(depth)}\n`, {});
      const issue = result.issues.find((i) => /nest more than/.test(i.message));
      assert.equal(issue?.severity, 'critical');
      assert.equal(issue?.line, 3);
      assert.equal(result.environment.A, '1');
      assert.equal(result.fatal, false);
    },
  },
  '%zz in a proxy URL password or user name': {
    before: 'exit 70 (URIError: URI malformed)',
    run: () => {
      for (const url of ['http://u:pa%zz@proxy.test:3128', 'http://us%zzer:pw@proxy.test:3128']) {
        assert.throws(() => parseProxyUrl(url), (error) => error instanceof UsageError && /broken percent escape/.test(error.message));
      }
      assert.deepEqual(urlCredentials('http://u:pa%zz@proxy.test:3128'), ['pa%zz']);
      assert.doesNotThrow(() => new Redactor().addEnvironment({ HTTPS_PROXY: 'http://us%zz:pa%zz@h:1' }).text('pa%zz us%zz'));
    },
  },
  'plist strings holding control characters': {
    before: 'exit 70 (xmlbuilder: Invalid character in string) at the first fix',
    run: () => {
      for (const value of ['a\u0001b sk-ctl\u001bSecret', 'a&#1;b', 'v&#x1b;']) {
        assert.throws(() => parsePlistBytes(plistWith(value), 'job.plist'), (error) => error instanceof InputError
          && /OPENCLAW_GATEWAY_TOKEN holds the control character U\+00(01|1B)/.test(error.message) && !error.message.includes('Secret'));
      }
      // A binary plist can carry them, and clawbar writes it back as binary.
      const binary = Buffer.from(buildBinary({ Label: 'x', EnvironmentVariables: { T: 'a\u0001b' } } as never));
      assert.equal((parsePlistBytes(binary, 'job.plist').value as { EnvironmentVariables: { T: string } }).EnvironmentVariables.T, 'a\u0001b');
    },
  },
};
