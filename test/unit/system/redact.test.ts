import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSecretName, Redactor, redactUrl, redactVariable, REDACTED } from '../../../main/system/redact.ts';

describe('redaction', () => {
  it('treats token, key, password and credential names as secret, and lists of names as not', () => {
    for (const name of ['OPENCLAW_GATEWAY_TOKEN', 'ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'PROXY_PASSWORD', 'AWS_SECRET_ACCESS_KEY', 'TELEGRAM_BOT_TOKEN', 'gateway.auth.token']) {
      assert.equal(isSecretName(name), true, name);
    }
    for (const name of ['PATH', 'HOME', 'OPENCLAW_SERVICE_MANAGED_ENV_KEYS', 'SSH_AUTH_SOCK', 'NODE_EXTRA_CA_CERTS', 'KEYBOARD', 'MONKEY']) {
      assert.equal(isSecretName(name), false, name);
    }
  });

  it('keeps a proxy URL readable but hides its password', () => {
    assert.equal(redactUrl('http://ops:s3cr%40t@127.0.0.1:3128'), `http://ops:${REDACTED}@127.0.0.1:3128`);
    assert.equal(redactUrl('see http://a:b@h:1/ and https://c:d@e/'), `see http://a:${REDACTED}@h:1/ and https://c:${REDACTED}@e/`);
    assert.deepEqual(redactVariable('HTTPS_PROXY', 'http://u:pw@h:8080'), { value: `http://u:${REDACTED}@h:8080`, redacted: true });
    assert.deepEqual(redactVariable('PATH', '/usr/bin'), { value: '/usr/bin', redacted: false });
  });

  it('hides values shaped like keys whatever the variable is called', () => {
    assert.equal(redactVariable('NOTES', 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz').value, REDACTED);
  });

  it('scrubs registered secrets out of free text and nested JSON, including the URL-decoded password', () => {
    const redactor = new Redactor().addEnvironment({ HTTPS_PROXY: 'http://ops:p%40ssw0rd@127.0.0.1:3128', GATEWAY_TOKEN: 'tok-1234567890' });
    const scrubbed = redactor.deep({ message: 'auth failed for p@ssw0rd', list: ['tok-1234567890 leaked'], nested: { url: 'http://ops:p%40ssw0rd@h' } });
    const text = JSON.stringify(scrubbed);
    assert.ok(!text.includes('p@ssw0rd') && !text.includes('p%40ssw0rd') && !text.includes('tok-1234567890'), text);
    assert.ok(text.includes('ops'));
  });

  it('remembers what it scrubbed, and forgets it when a secret is added', () => {
    const redactor = new Redactor();
    const line = 'the proxy answered 407 for relay-secret-7781';
    assert.equal(redactor.text(line), line, 'nothing is secret yet');
    assert.equal(redactor.text(line), line);
    redactor.add('relay-secret-7781');
    assert.equal(redactor.text(line), `the proxy answered 407 for ${REDACTED}`, 'a secret added later is scrubbed from a string seen before');
    const long = `${'x'.repeat(600)} relay-secret-7781`;
    assert.ok(!redactor.text(long).includes('relay-secret-7781'), 'long strings are scrubbed too (not remembered)');
    for (let i = 0; i < 5000; i++) redactor.text(`line ${i}`);
    const remembered = (redactor as unknown as { memo: Map<string, string> }).memo;
    assert.ok(remembered.size <= 4096 && remembered.has('line 4999') && !remembered.has('line 0'), `bounded, the oldest forgotten first (${remembered.size})`);
    assert.ok(!redactor.deep({ again: line }).again.includes('relay-secret-7781'), 'still scrubbed after the memory turned over');
    assert.ok(!redactor.text(line, { allQuery: true }).includes('relay-secret-7781'));
  });
});
