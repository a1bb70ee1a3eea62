import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent } from '../../main/agent/agent.ts';
import { createHandlers } from '../../main/agent/handlers.ts';
import { INVOKE } from '../../main/ipc-contract.ts';
import { Settings } from '../../main/settings.ts';
import { QUIET_CONFIG } from '../peers/openclaw.ts';
import { cliEnv, makeHome, runCli, writeService, type CliRun } from '../helpers/world.ts';

/**
 * The leak table: one secret of every shape a real one takes, each put where
 * operators keep it, then read back through every exit clawbar has. Where a
 * row is seeded decides which exits can meet it; every exit is searched for
 * every row, raw and in each escaped form a file could hold it in.
 */
interface Row { shape: string; value: string; where: 'env-file' | 'inline' | 'config' | 'dotenv' | 'argument' | 'target' | 'fix-url' | 'allowlist' | 'paging'; name?: string }

const ROWS: Row[] = [
  { shape: 'gateway token with a quote (sh-escaped in the env file)', where: 'env-file', name: 'OPENCLAW_GATEWAY_TOKEN', value: "Tok'en-Quoted-9f8e7d6c5b4a" },
  { shape: 'OpenAI project key', where: 'env-file', name: 'OPENAI_API_KEY', value: 'sk-proj-Lk3bF9qW2xR7tY5uI1oP4aS6dG8hJ0zXcVbNm' },
  { shape: 'Anthropic key', where: 'env-file', name: 'ANTHROPIC_API_KEY', value: 'sk-ant-api03-Qw7Er5Ty3Ui1Op9As8Df6Gh4Jk2Lz0Xc' },
  { shape: 'Google API key under a harmless name', where: 'env-file', name: 'MAPS', value: 'AIzaSyB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uVwX' },
  { shape: 'GitHub classic token under a harmless name', where: 'env-file', name: 'GH', value: 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8' },
  { shape: 'GitHub fine-grained token', where: 'env-file', name: 'GITHUB_PAT', value: 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP' },
  { shape: 'Slack bot token', where: 'env-file', name: 'SLACK_BOT', value: 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx' },
  { shape: 'Slack incoming webhook (the URL path is the secret)', where: 'env-file', name: 'SLACK_WEBHOOK', value: 'https://hooks.slack.com/services/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' },
  { shape: 'Hugging Face token under a harmless name', where: 'env-file', name: 'HF_HUB', value: 'hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789' },
  { shape: 'AWS access key id', where: 'env-file', name: 'AWS_ID', value: 'AKIAIOSFODNN7LEAKTBL' },
  { shape: 'AWS temporary key id', where: 'env-file', name: 'AWS_TMP', value: 'ASIAY34FZKBOKMUTVLEK' },
  { shape: 'Stripe live key', where: 'env-file', name: 'BILLING', value: 'sk_live_51LeakTableAbCdEfGhIjKlMnOpQrStUvWx' },
  { shape: 'JWT', where: 'env-file', name: 'ID_DOC', value: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWFrLXRhYmxlIn0.Qm9ndXNTaWduYXR1cmVGb3JMZWFrVGFibGU' },
  { shape: 'Telegram bot token', where: 'env-file', name: 'BOT', value: '7312345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ' },
  { shape: 'Discord bot token', where: 'env-file', name: 'DISCORD', value: 'MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs' },
  { shape: 'credentials under MY_CREDS', where: 'env-file', name: 'MY_CREDS', value: 'correct-horse-battery-staple' },
  { shape: 'password under API_PW', where: 'env-file', name: 'API_PW', value: 'hunter2hunter2hunter2' },
  { shape: 'GPG passphrase', where: 'env-file', name: 'GPG_PASSPHRASE', value: 'seven words make a fine passphrase' },
  { shape: 'token in a URL query string', where: 'env-file', name: 'GATEWAY_REMOTE_URL', value: 'QueryTok3nValue4421' },
  { shape: 'proxy password holding an @', where: 'env-file', name: 'HTTPS_PROXY', value: 'pa@ssword123leak' },
  { shape: 'token used as the URL user name', where: 'env-file', name: 'GIT_REMOTE', value: 'tokenAsUser5678abcdef' },
  { shape: 'cookie', where: 'env-file', name: 'SESSION_COOKIE', value: 'sid=s%3AcookieLeak0123456789' },
  { shape: 'password with XML specials (escaped in the plist)', where: 'inline', name: 'INLINE_PASSWORD', value: 'Pa&ss<w0rd>inline' },
  { shape: 'token inside an sh -c string', where: 'inline', name: 'LAUNCH_CMD', value: 'ShCTok3nValue8812' },
  { shape: 'provider key with JSON escapes in openclaw.json', where: 'config', value: 'Cfg"Quoted\\Tok3n-cfg7' },
  { shape: 'key in a provider baseUrl query', where: 'config', value: 'BaseUrlKeyValue12345' },
  { shape: 'channel webhook in openclaw.json', where: 'config', value: 'https://discord.com/api/webhooks/1234567890/LeakTableWebhookTokenValue' },
  { shape: 'key in <state>/.env', where: 'dotenv', name: 'DOTENV_API_KEY', value: 'dotenv-secret-value-777' },
  { shape: 'option value starting with a dash', where: 'argument', value: '-dashTok3nValue99' },
  { shape: 'token in a --target query', where: 'target', value: 'TargetQueryTok3n5566' },
  { shape: 'Google key in a --target query', where: 'target', value: 'AIzaSyTargetKeyAbCdEfGhIjKlMnOpQrStUv' },
  { shape: 'password in a fix proxy --url', where: 'fix-url', value: 'FixProxyPassw0rd' },
  { shape: 'key in an allowlist path', where: 'allowlist', value: 'AllowlistPathKey7788' },
  { shape: 'paging webhook path in the settings', where: 'paging', value: 'PagingWebhookPathSecret4455' },
  { shape: 'paging webhook header value', where: 'paging', value: 'PagingHeaderTok3n6611' },
  { shape: 'Alertmanager password', where: 'paging', value: 'AmPagingPassw0rd7722' },
  { shape: 'Alertmanager bearer token', where: 'paging', value: 'AmPagingBearer8833' },
  { shape: 'heartbeat URL path', where: 'paging', value: 'HeartbeatPathSecret9944' },
];

const value = (name: string) => ROWS.find((r) => r.name === name)!.value;
const sh = (v: string) => `'${v.replaceAll("'", `'\\''`)}'`;

/** The forms a value takes in the files it comes from or goes to. */
function forms(secret: string): string[] {
  const xml = secret.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return [...new Set([secret, sh(secret).slice(1, -1), xml, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])];
}

describe('leak table: every secret shape through every exit', { timeout: 240_000 }, () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let env: Record<string, string>;
  const texts: Array<{ exit: string; text: string }> = [];
  const keep = (exit: string, run: CliRun) => texts.push({ exit: `${exit} (stdout)`, text: run.stdout }, { exit: `${exit} (stderr)`, text: run.stderr });

  before(async () => {
    ({ home, cleanup } = await makeHome('clawbar-leak-'));
    const fileVars = Object.fromEntries(ROWS.filter((r) => r.where === 'env-file').map((r) => [r.name!, r.value]));
    fileVars.GATEWAY_REMOTE_URL = `wss://gw.example.test/ws?token=${value('GATEWAY_REMOTE_URL')}`;
    fileVars.HTTPS_PROXY = `http://carol:${value('HTTPS_PROXY')}@127.0.0.1:9`;
    fileVars.GIT_REMOTE = `https://${value('GIT_REMOTE')}@git.example.test/repo.git`;
    const svc = await writeService(home, {
      env: { HOME: home, OPENCLAW_GATEWAY_PORT: '9', ...fileVars },
      inline: { INLINE_PASSWORD: value('INLINE_PASSWORD'), LAUNCH_CMD: `sh -c "openclaw gateway --token ${value('LAUNCH_CMD')}"` },
      port: 9,
      extraArgs: ['--token', ROWS.find((r) => r.where === 'argument')!.value],
    });
    const [jsonKey, baseKey, hook] = ROWS.filter((r) => r.where === 'config').map((r) => r.value);
    await writeFile(join(svc.stateDir, 'openclaw.json'), JSON.stringify({
      ...QUIET_CONFIG,
      gateway: { port: 9, bind: 'loopback', auth: { mode: 'none' } },
      models: { ...QUIET_CONFIG.models, providers: { leak: { baseUrl: `http://127.0.0.1:9/v1?key=${baseKey}`, apiKey: jsonKey } } },
      channels: { discord: { webhookUrl: hook } },
    }, null, 2));
    await writeFile(join(svc.stateDir, '.env'), `DOTENV_API_KEY=${value('DOTENV_API_KEY')}\n`);
    const config = join(home, '.config', 'clawbar');
    await mkdir(config, { recursive: true });
    await writeFile(join(config, 'config.json'), JSON.stringify({ ntpServer: '127.0.0.1:9', clockHttpDateUrls: [] }));
    await writeFile(join(config, 'allowlist.yaml'), `egress:\n  - host: 127.0.0.1\n    port: 9\n    tls: false\n    path: /v1?api_key=${ROWS.find((r) => r.where === 'allowlist')!.value}\n    purpose: leak table\n`);
    env = cliEnv(home);
  });
  after(() => cleanup());

  it('seeds at least 30 shapes', () => {
    assert.ok(ROWS.length >= 30, `${ROWS.length} rows`);
    assert.equal(new Set(ROWS.map((r) => r.value)).size, ROWS.length, 'each row is its own value');
  });

  it('runs every CLI exit on the seeded world', async () => {
    const [targetTok, targetKey] = ROWS.filter((r) => r.where === 'target').map((r) => r.value);
    const targets = ['--target', `http://127.0.0.1:9/path?token=${targetTok}`, '--target', `http://127.0.0.1:9/?key=${targetKey}`];
    const proxyUrl = `http://ops:${ROWS.find((r) => r.where === 'fix-url')!.value}@127.0.0.1:9`;
    const runs: Array<[string, string[]]> = [
      ['env', ['env']], ['env --json', ['env', '--json']], ['status --json', ['status', '--json']],
      ['probe --json', ['probe', '--json', '--timeout', '500', ...targets]], ['probe', ['probe', '--timeout', '500', ...targets]],
      ['probe (allowlist)', ['probe', '--json', '--timeout', '500', '--target', 'http://127.0.0.1:9/']],
      ['report', ['report']], ['report --json', ['report', '--json']],
      ['report --allowlist --csv', ['report', '--allowlist', '--csv']], ['report --allowlist --json', ['report', '--allowlist', '--json']], ['report --allowlist', ['report', '--allowlist']],
      ['metrics', ['metrics', '--out', '-']],
      ['fix proxy --dry-run', ['fix', 'proxy', '--url', proxyUrl, '--dry-run', '--timeout', '500', '--target', 'http://127.0.0.1:9/']],
      ['fix proxy --dry-run --json', ['fix', 'proxy', '--url', proxyUrl, '--dry-run', '--json', '--timeout', '500', '--target', 'http://127.0.0.1:9/']],
      ['fix bind --dry-run --json', ['fix', 'bind', '--dry-run', '--json']],
      ['fix history --json', ['fix', 'history', '--json']],
      ['exec --print-env', ['exec', '--print-env']],
      ['bad usage', ['probe', '--target', `not a url ${targetTok}`]],
    ];
    for (const [exit, args] of runs) {
      const run = await runCli(args, env, { timeoutMs: 60_000 });
      assert.ok(run.code !== 70, `${exit}: internal error: ${run.stderr}`);
      keep(exit, run);
    }
    const written: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else written.push(path);
      }
    };
    await walk(join(home, '.local', 'state', 'clawbar'));
    for (const name of ['probes.jsonl', 'last-probe.json', 'status.jsonl', 'fixes.jsonl']) assert.ok(written.some((f) => f.endsWith(name)), `${name} was written`);
    for (const path of written.filter((f) => !/\.(key|pem)$/.test(f))) texts.push({ exit: path.slice(home.length), text: await readFile(path, 'utf8') });
  });

  it('runs every app exit: IPC responses, events, notices and the copied report', async () => {
    const paging = ROWS.filter((r) => r.where === 'paging').map((r) => r.value);
    const settings = Settings.parse({
      ntpServer: '127.0.0.1:9', clockHttpDateUrls: [],
      paging: {
        notifiers: [
          { kind: 'slack', name: 'ops', url: `http://127.0.0.1:9/services/${paging[0]}` },
          { kind: 'webhook', name: 'hook', url: 'http://127.0.0.1:9/hook', headers: { authorization: `Bearer ${paging[1]}` } },
          { kind: 'alertmanager', name: 'am', url: 'http://127.0.0.1:9', username: 'pager', password: paging[2] },
          { kind: 'alertmanager', name: 'am-token', url: 'http://127.0.0.1:9', bearerToken: paging[3] },
        ],
        heartbeatUrl: `http://127.0.0.1:9/beat/${paging[4]}`,
      },
    });
    const agent = new Agent({
      settings, home, shellEnv: env, probeTimeoutMs: 500,
      intervals: { healthMs: 60_000, listenersMs: 60_000, clockMs: 60_000, probesMs: 3_600_000, serviceMs: 3_600_000 },
    });
    // The settings file the agent was started from, as the app's is: the settings channels read and write it.
    await mkdir(dirname(agent.session.world.files.settings), { recursive: true });
    await writeFile(agent.session.world.files.settings, JSON.stringify(settings), { mode: 0o600 });
    agent.on('state', (state) => texts.push({ exit: 'event state', text: JSON.stringify(state) }));
    agent.on('progress', (progress) => texts.push({ exit: 'event progress', text: JSON.stringify(progress) }));
    agent.on('notify', (notice) => texts.push({ exit: 'event notify', text: JSON.stringify(notice) }));
    const copied: string[] = [];
    const handlers = createHandlers(agent, { copyText: (text) => copied.push(text) });
    await agent.start();
    try {
      const responses = {
        'state:get': await handlers['state:get']({}),
        'settings:get': await handlers['settings:get']({}),
        'settings:set': await handlers['settings:get']({}).then(({ revision }) => handlers['settings:set'](INVOKE['settings:set'].request.parse({ revision, clockWarnMs: 2_000 }))),
        // A save from the settings form that kept every notifier as it was (their secrets left out), and a test page to each.
        'settings:set (kept)': await handlers['settings:get']({}).then((view) => handlers['settings:set'](INVOKE['settings:set'].request.parse({
          revision: view.revision, paging: { notifiers: view.paging.notifiers.map((n, i) => ({ from: i, kind: n.kind, name: n.name, username: n.username })) },
        }))),
        'paging:test': await Promise.all(paging.slice(0, 4).map(async (_, index) => handlers['paging:test']({ index, revision: (await handlers['settings:get']({})).revision }))),
        'env:get': await handlers['env:get']({}),
        'probes:run': await handlers['probes:run'](INVOKE['probes:run'].request.parse({ world: 'daemon' })),
        'fix:plan': await handlers['fix:plan'](INVOKE['fix:plan'].request.parse({ kind: 'proxy', url: `http://ops:${ROWS.find((r) => r.where === 'fix-url')!.value}@127.0.0.1:9` })),
        'fix:history': await handlers['fix:history']({}),
        'history:get': await handlers['history:get']({}),
        'report:copy': await handlers['report:copy']({}),
      };
      for (const [channel, response] of Object.entries(responses)) texts.push({ exit: `ipc ${channel}`, text: JSON.stringify(response) });
      const failed = await handlers['fix:rollback']({ id: `../${value('OPENAI_API_KEY')}` }).then(() => '', (error: Error) => error.message);
      texts.push({ exit: 'ipc error', text: failed });
      assert.equal(copied.length, 1);
      texts.push({ exit: 'clipboard', text: copied[0]! });
      assert.deepEqual(agent.settings.paging.notifiers.map((n) => n.url), [`http://127.0.0.1:9/services/${paging[0]}`, 'http://127.0.0.1:9/hook', 'http://127.0.0.1:9', 'http://127.0.0.1:9'], 'the kept save kept every URL');
      assert.equal((agent.settings.paging.notifiers[2] as { password?: string }).password, paging[2], 'and every credential');
    } finally {
      await agent.stop();
    }
    // The pager's log lines are written in the background; all are on disk once the agent stopped.
    const pageLog = await readFile(agent.session.world.files.pageLog, 'utf8');
    assert.match(pageLog, /"event":"test","notifier":"am-token","outcome":"failed"/);
    texts.push({ exit: 'page log', text: pageLog });
  });

  it('finds no seeded secret, raw or escaped, in any exit', () => {
    assert.ok(texts.length > 40, `${texts.length} exits read`);
    const leaks: string[] = [];
    for (const row of ROWS) {
      for (const form of forms(row.value)) {
        for (const { exit, text } of texts) if (text.includes(form)) leaks.push(`${row.shape} (${row.where}) in ${exit}`);
      }
    }
    assert.deepEqual(leaks, []);
  });
});
