import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { curlCommand, shellQuote } from '../../../main/report/curl-command.ts';

const base = { sni: null, pin: null, via: 'direct' as const, proxy: null, caFile: null };
/** What /bin/sh makes of a command line: its words, one per line (printf re-quotes nothing). */
const words = (command: string, env: Record<string, string> = {}) =>
  execFileSync('/bin/sh', ['-c', `set -- ${command.replace(/^curl /, '')}; for w in "$@"; do printf '%s\\n' "$w"; done`], { env: { PATH: '/usr/bin:/bin', ...env }, encoding: 'utf8' }).trimEnd().split('\n');

describe('curl probe commands', () => {
  it('direct and pinned: --noproxy, --resolve with the pin, --cacert, the -w timing line', () => {
    const command = curlCommand({ ...base, url: 'https://api.corp.test:8443/v1/', pin: '127.0.0.1,::1', caFile: '/Users/ops/ca bundle.pem' });
    const argv = words(command);
    assert.deepEqual(argv.slice(argv.indexOf('--resolve'), argv.indexOf('--resolve') + 2), ['--resolve', 'api.corp.test:8443:127.0.0.1,[::1]']);
    assert.deepEqual(argv.slice(argv.indexOf('--cacert'), argv.indexOf('--cacert') + 2), ['--cacert', '/Users/ops/ca bundle.pem']);
    assert.ok(argv.includes('--noproxy') && argv[argv.indexOf('--noproxy') + 1] === '*');
    assert.equal(argv.at(-1), 'https://api.corp.test:8443/v1/');
    assert.match(argv[argv.indexOf('-w') + 1]!, /^dns=%\{time_namelookup\} connect=%\{time_connect\} tls=%\{time_appconnect\} .* http=%\{http_code\}\\n$/);
  });

  it('through an authenticated proxy: the user name stays, the password comes from $PROXY_PASSWORD at run time', () => {
    const command = curlCommand({ ...base, url: 'https://api.corp.test/', via: 'proxy', proxy: 'http://ops%40corp:[redacted]@proxy.corp.test:3128', pin: '10.0.0.5' });
    assert.ok(!command.includes('redacted'));
    assert.ok(!command.includes('--resolve'), 'the proxy resolves the name; a pin does not apply');
    const argv = words(command, { PROXY_PASSWORD: 'pw with space' });
    assert.deepEqual(argv.slice(argv.indexOf('--proxy'), argv.indexOf('--proxy') + 4), ['--proxy', 'http://proxy.corp.test:3128', '--proxy-user', 'ops@corp:pw with space']);
    assert.match(command, /proxy_connect=%\{http_connect\}/);
  });

  it('a proxy without credentials, plaintext targets without --cacert', () => {
    const argv = words(curlCommand({ ...base, url: 'http://plain.corp.test:8080/x', via: 'proxy', proxy: 'http://proxy.corp.test:3128', caFile: '/ca.pem' }));
    assert.ok(!argv.includes('--proxy-user') && !argv.includes('--cacert'));
  });

  it('an expected SNI other than the host: ask for the SNI name, connect to the host, keep its Host header', () => {
    const argv = words(curlCommand({ ...base, url: 'https://edge.corp.test/', sni: 'api.vendor.test', pin: '127.0.0.1' }));
    assert.deepEqual(argv.slice(argv.indexOf('--connect-to'), argv.indexOf('--connect-to') + 4), ['--connect-to', 'api.vendor.test:443:edge.corp.test:443', '-H', 'Host: edge.corp.test']);
    assert.ok(argv.includes('edge.corp.test:443:127.0.0.1'));
    assert.equal(argv.at(-1), 'https://api.vendor.test/');
  });

  it('quotes what the shell would otherwise expand', () => {
    assert.equal(shellQuote('plain/path-1.pem'), 'plain/path-1.pem');
    assert.equal(shellQuote("it's $HOME `x`"), `'it'\\''s $HOME \`x\`'`);
    assert.deepEqual(words(`x ${shellQuote("it's $HOME `x`")}`), ['x', "it's $HOME `x`"]);
    const hostile = curlCommand({ ...base, url: "https://api.corp.test/$(touch${IFS}pwned)'" });
    assert.equal(words(hostile).at(-1), new URL("https://api.corp.test/$(touch${IFS}pwned)'").href);
  });
});
