import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { argumentSecrets, isSecretName, Redactor, redactUrl, redactVariable, REDACTED, secretFragments, urlCredentials } from '../../../main/system/redact.ts';

/** The leaks the security review found, one row each: what went in, what must not come out. */
const LEAKS: Array<{ case: string; text: string; secret: string }> = [
  { case: 'key in a query string', text: 'GET https://generativelanguage.googleapis.com/v1/models?key=AIzaSyA-1234567890abcdefghijklmnopqrstu', secret: 'AIzaSyA-1234567890abcdefghijklmnopqrstu' },
  { case: 'token in a WebSocket URL', text: 'GATEWAY_REMOTE_URL=wss://gw.example.net:443/ws?token=plainTok3nValue', secret: 'plainTok3nValue' },
  { case: 'password holding an @', text: 'proxy http://carol:pa@ssword123@proxy.corp:3128 refused', secret: 'ssword123' },
  { case: 'token as the user name', text: 'clone https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r.git', secret: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' },
  { case: 'flag value starting with a dash', text: 'openclaw gateway --token -dashTok3nValue --port 18789', secret: '-dashTok3nValue' },
  { case: 'flag inside sh -c', text: 'sh -c "exec node gateway --token shTok3nValue --bind loopback"', secret: 'shTok3nValue' },
  { case: 'MY_CREDS', text: 'MY_CREDS=credsValue123', secret: 'credsValue123' },
  { case: 'API_PW', text: 'API_PW=pwValue123', secret: 'pwValue123' },
  { case: 'GPG_PASSPHRASE', text: "GPG_PASSPHRASE='correct horse battery'", secret: 'correct horse battery' },
  { case: 'SLACK_WEBHOOK', text: 'SLACK_WEBHOOK=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', secret: 'XXXXXXXXXXXXXXXXXXXXXXXX' },
  { case: 'a webhook URL under any name', text: 'NOTIFY=https://discord.com/api/webhooks/123456/abcDEFghiJKL', secret: 'abcDEFghiJKL' },
  { case: 'HF_HUB holding an hf_ token', text: 'HF_HUB=hf_abcdefghijklmnopqrstuvwxyzABCDEFGH', secret: 'hf_abcdefghijklmnopqrstuvwxyzABCDEFGH' },
  { case: 'Authorization header', text: 'Proxy-Authorization: Basic b3BzOnNlY3JldA==', secret: 'b3BzOnNlY3JldA==' },
  { case: 'JSON5 config token', text: "auth: { mode: 'token', token: 'Cfg\\'Quoted\\\\Tok3n' }", secret: 'Quoted' },
  { case: 'plist key in a diff', text: '   <key>OPENCLAW_GATEWAY_TOKEN</key>\n+  <string>Pa&amp;ss&lt;w0rd</string>', secret: 'Pa&amp;ss' },
];

describe('redaction policy', () => {
  for (const row of LEAKS) {
    it(`hides ${row.case}`, () => {
      const out = new Redactor().text(row.text);
      assert.ok(!out.includes(row.secret), out);
      assert.ok(out.includes(REDACTED), out);
    });
  }

  it('hides a registered secret in its sh, XML, JSON and percent-encoded file forms', () => {
    const token = "Tok'en&<Cfg\"Quoted\\Tok3n %40";
    const redactor = new Redactor().add(token);
    for (const text of [
      `export OPENCLAW_GATEWAY_TOKEN='Tok'\\''en&<Cfg"Quoted\\Tok3n %40'`,
      '<string>Tok&apos;en&amp;&lt;Cfg&quot;Quoted\\Tok3n %40</string>',
      '<string>Tok\'en&amp;&lt;Cfg"Quoted\\Tok3n %40</string>',
      `{ "token": ${JSON.stringify(token)} }`,
      `?t=${encodeURIComponent(token)}`,
      "Tok'en&<Cfg\"Quoted\\Tok3n @",
    ]) {
      const out = redactor.text(text);
      for (const piece of ['Tok3n', 'Quoted']) assert.ok(!out.includes(piece), `${text} → ${out}`);
    }
  });

  it('names: secret parts count, look-alikes and lists of names do not', () => {
    for (const name of ['MY_CREDS', 'API_PW', 'GPG_PASSPHRASE', 'SLACK_WEBHOOK', 'SESSION_COOKIE', 'DB_PWD', 'openaiApiKey', 'PRIVATE_KEY', 'OAUTH_CLIENT_SECRET', 'X_AUTH']) assert.equal(isSecretName(name), true, name);
    for (const name of ['PWD', 'OLDPWD', 'SSH_AUTH_SOCK', 'OPENCLAW_SERVICE_MANAGED_ENV_KEYS', 'KEYBOARD', 'MONKEY', 'GIT_AUTHOR_NAME', 'max_tokens', 'TOKEN_FILE', 'gateway.auth.mode', 'NO_PROXY_BYPASS']) assert.equal(isSecretName(name), false, name);
  });

  it('keeps what diagnosis needs: user names, hosts, ports, paths, modes', () => {
    assert.equal(redactUrl('http://ops:pw@proxy.corp:3128/'), `http://ops:${REDACTED}@proxy.corp:3128/`);
    assert.equal(new Redactor().text('https://auth.example.com:443/health bind / auth loopback / token'), 'https://auth.example.com:443/health bind / auth loopback / token');
    assert.deepEqual(redactVariable('NODE_EXTRA_CA_CERTS', '/etc/ca.pem'), { value: '/etc/ca.pem', redacted: false });
    assert.equal(redactUrl('https://api.example.com/v1?model=x&key=abc', {}), `https://api.example.com/v1?model=x&key=${REDACTED}`);
    assert.equal(redactUrl('https://api.example.com/v1?model=x', { allQuery: true }), `https://api.example.com/v1?model=${REDACTED}`);
  });

  it('collects the secrets of command lines and URLs for the scrub list, never throwing on a broken escape', () => {
    assert.deepEqual(argumentSecrets(['sh', '-c', 'exec node gw --token shTok3n', '--token', '-dashTok3n', '--api-key=k3y123', 'TOKEN=envTok3n']).sort(), ['-dashTok3n', 'envTok3n', 'k3y123', 'shTok3n']);
    assert.deepEqual(argumentSecrets(['--token', '--verbose']), []);
    assert.deepEqual(urlCredentials('http://carol:pa@ssword123@host'), ['pa@ssword123']);
    assert.deepEqual(urlCredentials('http://u:pa%zz@host'), ['pa%zz']);
    assert.deepEqual(secretFragments('NOTES', 'see https://x.test/?token=abcd1234'), ['abcd1234']);
  });
});
