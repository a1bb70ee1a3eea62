import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import fc from 'fast-check';
import { shellQuote } from '../../../main/service/env-file-format.ts';
import { escapedForms, Redactor, REDACTED } from '../../../main/system/redact.ts';
import { assertFast, repeated, runs } from './support.ts';

const chars = (alphabet: string, min: number, max = min) => fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((a) => a.join(''));
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const URLSAFE = `${ALNUM}_-`;
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Well-known credential shapes, each with random content; a digit and a capital keep them from reading as words. */
const SHAPES: Record<string, fc.Arbitrary<string>> = {
  openai: chars(ALNUM, 48).map((s) => `sk-A1${s}`),
  openaiProject: chars(URLSAFE, 60, 90).map((s) => `sk-proj-Z9${s}`),
  anthropic: chars(URLSAFE, 93).map((s) => `sk-ant-api03-${s}AA`),
  google: chars(URLSAFE, 35).map((s) => `AIza${s}`),
  github: chars(ALNUM, 36).map((s) => `ghp_${s}`),
  githubFineGrained: fc.tuple(chars(ALNUM, 22), chars(ALNUM, 59)).map(([a, b]) => `github_pat_${a}_${b}`),
  gitlab: chars(URLSAFE, 20).map((s) => `glpat-${s}`),
  slackBot: fc.tuple(chars('0123456789', 11), chars('0123456789', 13), chars(ALNUM, 24)).map(([a, b, c]) => `xoxb-${a}-${b}-${c}`),
  slackUser: fc.tuple(chars('0123456789', 11), chars(ALNUM, 32)).map(([a, b]) => `xoxp-${a}-${b}`),
  huggingFace: chars(ALNUM, 34).map((s) => `hf_${s}`),
  awsAccessKey: chars(UPPER_DIGITS, 16).map((s) => `AKIA${s}`),
  awsSessionKey: chars(UPPER_DIGITS, 16).map((s) => `ASIA${s}`),
  stripe: chars(ALNUM, 24).map((s) => `sk_live_${s}`),
  npm: chars(ALNUM, 36).map((s) => `npm_${s}`),
  jwt: fc.tuple(chars(URLSAFE, 20, 40), chars(URLSAFE, 20, 60), chars(URLSAFE, 43)).map(([h, p, s]) => `eyJ${h}.eyJ${p}.${s}`),
  telegram: fc.tuple(chars('0123456789', 9), chars(URLSAFE, 33)).map(([id, s]) => `${id}:AA${s}`),
  discord: fc.tuple(chars(URLSAFE, 23), chars(URLSAFE, 6), chars(URLSAFE, 38)).map(([a, b, c]) => `M${a}.${b}.${c}`),
};

/** Positions a secret takes in clawbar's inputs and outputs. */
const PLACES: Array<(secret: string) => string> = [
  (s) => `failed: ${s} was refused`,
  (s) => `OPENCLAW_GATEWAY_TOKEN=${s}`,
  (s) => `export NOTES='${s}'`,
  (s) => `{"apiKey": "${s}"}`,
  (s) => `https://api.example.com/v1?key=${s}&alt=json`,
  (s) => `node gateway --token ${s} --port 18789`,
  (s) => `Authorization: Bearer ${s}`,
  (s) => `<key>HF_HUB</key>\n\t<string>${s}</string>`,
];

/** Positions whose name or place makes any value secret, with values that look like nothing. */
const plain = chars('abcdefghijkmnpqrstuvwxyz23456789', 10, 20);
const POSITIONS: Array<(value: string) => string> = [
  (v) => `MY_CREDS=${v}`,
  (v) => `API_PW=${v}`,
  (v) => `GPG_PASSPHRASE="${v} ${v}"`,
  (v) => `SLACK_WEBHOOK=https://example.com/${v}`,
  (v) => `http://carol:pa@${v}@proxy.corp:3128`,
  (v) => `https://${v}@github.com/org/repo.git`,
  (v) => `wss://gw.example.net/ws?token=${v}`,
  (v) => `https://hooks.slack.com/services/T0/B0/${v}`,
  (v) => `https://discord.com/api/webhooks/1/${v}`,
  (v) => `openclaw gateway --token -${v}`,
  (v) => `sh -c "exec node gw --api-key ${v} --bind loopback"`,
  (v) => `password: '${v}'`,
  (v) => `<key>OPENCLAW_GATEWAY_TOKEN</key>\n+\t\t<string>${v}</string>`,
  (v) => `-----BEGIN OPENSSH PRIVATE KEY-----\n${v}\n-----END OPENSSH PRIVATE KEY-----`,
];

/** Text with no secret in it, including names and shapes that come close. */
const BENIGN_WORDS = ['the', 'gateway', 'listens', 'on', 'port', '18789', '/usr/local/bin/node', 'https://api.example.com/v1/models', 'http://127.0.0.1:18789/health',
  'PATH=/usr/bin:/bin', 'HOME=/Users/op', 'PWD=/tmp', 'SSH_AUTH_SOCK=/tmp/agent', 'OPENCLAW_SERVICE_MANAGED_ENV_KEYS=A,B', 'MONKEY=1', 'KEYBOARD=us', 'max_tokens: 4096',
  'auth.example.com:443', 'bind / auth', 'loopback / token', 'sk-prod-cluster-eu', 'task-1234567890abcdefgh', 'a-a-a-a', 'ok', 'critical', '-', ',', '.', ':', '(', ')', ' ', '  ', '\n', '\t', 'é', '東京', '🦞'];
const benign = fc.array(fc.constantFrom(...BENIGN_WORDS), { maxLength: 30 }).map((words) => words.join(' '));
/** Registered secrets from characters the benign text never holds. */
const registered = fc.array(chars('QZXJ0123456789', 6, 24).map((s) => `QZ${s}`), { maxLength: 4 });

async function secretlintFindings(content: string): Promise<string[]> {
  const result = await lintSource({
    source: { filePath: '/redacted.txt', content, contentType: 'text' },
    options: { config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended }] } },
  });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('redaction (properties)', () => {
  it('hides every well-known credential shape in every place, as checked by exact match and by secretlint', async () => {
    for (const [name, shape] of Object.entries(SHAPES)) {
      await fc.assert(fc.asyncProperty(shape, fc.constantFrom(...PLACES), benign, async (secret, place, context) => {
        const out = new Redactor().text(`${context}\n${place(secret)}\n${context}`);
        assert.ok(!out.includes(secret), `${name} leaked: ${out}`);
        assert.deepEqual(await secretlintFindings(out), []);
      }), runs(8));
    }
  });

  it('hides any value in a secret-bearing position, whatever it looks like', () => {
    fc.assert(fc.property(plain, fc.constantFrom(...POSITIONS), benign, (value, position, context) => {
      const out = new Redactor().text(`${context} ${position(value)} ${context}`);
      assert.ok(!out.includes(value), out);
    }), runs(400));
  });

  it('hides a registered secret in each form a file or URL gives it', () => {
    const secret = fc.string({ unit: 'grapheme', minLength: 4, maxLength: 16 }).filter((s) => s.trim().length >= 4 && !REDACTED.includes(s));
    fc.assert(fc.property(secret, benign, (value, context) => {
      const redactor = new Redactor().add(value);
      const files = [
        `export OPENCLAW_GATEWAY_TOKEN=${shellQuote(value)}`,
        ...escapedForms(value).map((form) => `${context}[${form}]${context}`),
      ];
      for (const text of files) {
        const out = redactor.text(text);
        assert.ok(!out.includes(value), `raw form in ${JSON.stringify(out)}`);
      }
    }), runs(300));
  });

  it('is idempotent', () => {
    const pieces = fc.constantFrom('token=', 'PASSWORD=', '--token ', 'http://', 'u:', 'p@', '@h', '?key=', '&', 'Bearer ', '"secret": "', "'", '"', '[redacted]', ']', '[', 'sk-', 'AIza', 'eyJ', '.', 'x', 'Q', '-', ' ', '\n', ':');
    const text = fc.oneof(fc.array(pieces, { maxLength: 30 }).map((p) => p.join('')), benign, fc.string({ maxLength: 60 }));
    fc.assert(fc.property(text, fc.array(fc.string({ minLength: 4, maxLength: 8 }), { maxLength: 3 }), (input, secrets) => {
      const redactor = new Redactor().add(...secrets);
      const once = redactor.text(input);
      assert.equal(redactor.text(once), once);
    }), runs(1_000));
  });

  it('never changes, and so never shortens, text that holds no secret', () => {
    fc.assert(fc.property(benign, registered, (text, secrets) => {
      assert.equal(new Redactor().add(...secrets).text(text), text);
    }), runs(500));
    fc.assert(fc.property(benign, registered.filter((s) => s.length > 0), benign, (before, secrets, after) => {
      const out = new Redactor().add(...secrets).text(`${before} ${secrets[0]} ${after}`);
      assert.ok(out.startsWith(`${before} `) && out.endsWith(` ${after}`), out);
    }), runs(300));
  });

  it('handles each 64 KB input in bounded time, with secrets registered', () => {
    const redactor = new Redactor().addEnvironment({ OPENCLAW_GATEWAY_TOKEN: 'gw-token-7f3a9c2e5b1d', HTTPS_PROXY: 'http://ops:pr0xy-Pa55@127.0.0.1:3128', ANTHROPIC_API_KEY: 'sk-ant-api03-SEEDED' });
    const hostile = ['a-', 'http://', '@', ':', '?token=', '&', '--token ', 'eyJ', 'sk-', '=', '"', "'", 'A', '1', ' ', '\n', '<key>', '-----BEGIN PRIVATE KEY-----', 'Bearer ', '%', '[redacted]'];
    fc.assert(fc.property(repeated(hostile), (text) => { assertFast(() => redactor.text(text), 'redactor'); }), runs(20));
  });
});
