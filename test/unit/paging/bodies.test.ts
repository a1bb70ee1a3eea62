import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertmanagerAlert, outgoing, pagingSecrets, slackBody, testPage, webhookBody, type Page } from '../../../main/paging/bodies.ts';
import { Outbox } from '../../../main/paging/outbox.ts';
import { Notifier } from '../../../main/settings-schema.ts';
import { Redactor } from '../../../main/system/redact.ts';

const page: Page = {
  event: 'firing', node: 'mini-hk-1', check: 'gateway', layer: null, from: 'ok', to: 'down', since: '2026-11-21T11:55:26.318Z', startedAt: '2026-11-21T11:55:26.318Z',
  detail: 'http://127.0.0.1:18789/health does not answer (ECONNREFUSED)', fix: 'launchctl kickstart -k gui/$(id -u)/ai.openclaw.gateway', severity: 'critical', traceId: 't-1', time: '2026-11-21T11:56:26.318Z',
};
const am = Notifier.parse({ kind: 'alertmanager', url: 'http://127.0.0.1:9093/', username: 'pager', password: 'am-secret-pass', labels: { team: 'ops' } }) as Extract<Notifier, { kind: 'alertmanager' }>;

describe('page bodies', () => {
  it('a test page: the documented body with event test, [TEST] on Slack, an Alertmanager alert of its own that expires after one interval', () => {
    const now = new Date('2026-11-21T12:00:00.000Z');
    const test = testPage('mini-hk-1', now);
    assert.deepEqual(Object.keys(webhookBody(test)), Object.keys(webhookBody(page)));
    assert.deepEqual([test.event, test.check, test.fix], ['test', 'test', null]);
    assert.match((slackBody(test) as { text: string }).text, /^\*\[TEST\] mini-hk-1: test ok → ok\*/);
    const alert = alertmanagerAlert(test, am, now) as { labels: Record<string, string>; endsAt: string };
    assert.equal(alert.labels.alertname, 'ClawbarTestPage');
    assert.equal(alert.endsAt, '2026-11-21T12:01:00.000Z');
  });

  it('the generic webhook body has exactly the documented fields', () => {
    assert.deepEqual(Object.keys(webhookBody(page)), ['schema', 'event', 'node', 'check', 'layer', 'from', 'to', 'since', 'detail', 'fix', 'severity', 'traceId', 'time']);
    assert.equal((webhookBody(page) as { schema: string }).schema, 'clawbar.page/1');
  });

  it('Slack: one mrkdwn text with state change, detail, fix and trace id; no fix on resolved', () => {
    const { text } = slackBody(page) as { text: string };
    assert.match(text, /^\*\[FIRING\] mini-hk-1: gateway ok → down\* since 2026-11-21T11:55:26.318Z\n.*ECONNREFUSED\)\nFix: `launchctl kickstart[^`]+`\ntrace t-1$/);
    assert.doesNotMatch((slackBody({ ...page, event: 'resolved', from: 'down', to: 'ok' }) as { text: string }).text, /Fix:/);
  });

  it('Alertmanager: stable labels, annotations, endsAt ahead while firing and now on resolve, basic auth', () => {
    const now = new Date('2026-11-21T12:00:00Z');
    const firing = alertmanagerAlert({ ...page, check: 'egress', layer: 'tls-trust' }, am, now) as { labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string };
    assert.deepEqual(firing.labels, { team: 'ops', alertname: 'ClawbarEgressFailing', node: 'mini-hk-1', check: 'egress', severity: 'critical', layer: 'tls-trust' });
    assert.equal(firing.annotations.fix, page.fix);
    assert.equal(firing.startsAt, page.startedAt);
    assert.equal(firing.endsAt, '2026-11-21T12:05:00.000Z', 'five re-post intervals ahead');
    assert.equal((alertmanagerAlert({ ...page, event: 'resolved' }, am, now) as { endsAt: string }).endsAt, now.toISOString());
    const request = outgoing(page, am, now);
    assert.equal(request.url, 'http://127.0.0.1:9093/api/v2/alerts');
    assert.equal(request.headers.authorization, `Basic ${Buffer.from('pager:am-secret-pass').toString('base64')}`);
    assert.equal(JSON.parse(request.body!).length, 1);
  });

  it('every secret in the paging settings reaches the redactor, and redacted text keeps none of them', () => {
    const notifiers = [
      Notifier.parse({ kind: 'slack', url: 'https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX' }),
      Notifier.parse({ kind: 'webhook', url: 'https://hooks.example.test/p/abcdef123456', headers: { 'x-token': 'hdr-secret-value' } }),
      am,
    ];
    const secrets = pagingSecrets(notifiers, 'https://hc-ping.example.test/uuid-1234');
    const redactor = new Redactor().add(...secrets);
    const text = redactor.text(`${notifiers.map((n) => JSON.stringify(outgoing(page, n, new Date()))).join(' ')} https://hc-ping.example.test/uuid-1234`);
    for (const secret of ['XXXXsecretXXXX', 'abcdef123456', 'hdr-secret-value', 'am-secret-pass', Buffer.from('pager:am-secret-pass').toString('base64'), 'uuid-1234']) assert.ok(!text.includes(secret), secret);
    assert.ok(text.includes('127.0.0.1:9093'), 'an Alertmanager URL is no secret; its credentials are');
  });
});

describe('outbox', () => {
  const request = (n: number) => ({ method: 'POST' as const, url: `http://127.0.0.1:9/${n}`, headers: {}, body: String(n) });
  const backoff = { firstMs: 10, factor: 2, maxMs: 40, maxAttempts: 3 };

  it('never makes the caller wait, retries with backoff in order, and logs every failure and the give-up', async () => {
    const sent: string[] = [];
    const log: Array<Record<string, unknown>> = [];
    let failuresLeft = 2;
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const outbox = new Outbox({
      backoff, log: (r) => log.push(r),
      send: async (r) => {
        await gate;
        if (r.body === '1' && failuresLeft-- > 0) return { ok: false, status: 503, via: 'direct', error: 'HTTP 503' };
        if (r.body === '9') return { ok: false, status: null, via: 'proxy', error: 'ECONNREFUSED' };
        sent.push(r.body!);
        return { ok: true, status: 200, via: 'direct', error: null };
      },
    });
    const started = performance.now();
    outbox.enqueue({ notifier: 'hook', request: request(1), about: { check: 'gateway', event: 'firing', traceId: 'a' } });
    outbox.enqueue({ notifier: 'hook', request: request(2), about: { check: 'gateway', event: 'resolved', traceId: 'b' } });
    outbox.enqueue({ notifier: 'other', request: request(9), about: { check: 'clock', event: 'firing', traceId: 'c' } });
    assert.ok(performance.now() - started < 5, 'enqueue returns at once even while the receiver hangs');
    release();
    for (let i = 0; i < 100 && (sent.length < 2 || outbox.pending() > 0); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(sent, ['1', '2'], 'a resolved page never overtakes its firing page');
    assert.deepEqual(log.filter((l) => l.notifier === 'hook').map((l) => [l.outcome, l.attempt]), [['retrying', 1], ['retrying', 2], ['sent', 3], ['sent', 1]]);
    assert.deepEqual(log.filter((l) => l.notifier === 'hook').map((l) => l.retryInMs).filter(Boolean), [10, 20]);
    assert.deepEqual(log.filter((l) => l.notifier === 'other').map((l) => [l.outcome, l.error]), [['retrying', 'ECONNREFUSED'], ['retrying', 'ECONNREFUSED'], ['gave-up', 'ECONNREFUSED']]);
    await outbox.stop();
  });

  it('a newer re-post replaces a waiting one; quiet deliveries log only failures; stop logs what is left', async () => {
    const log: Array<Record<string, unknown>> = [];
    const bodies: string[] = [];
    const outbox = new Outbox({ backoff: { ...backoff, firstMs: 10_000 }, log: (r) => log.push(r), send: async (r) => { bodies.push(r.body!); return r.body === '1' ? { ok: false, status: 500, via: 'direct', error: 'HTTP 500' } : { ok: true, status: 200, via: 'direct', error: null }; } });
    outbox.enqueue({ notifier: 'am', request: request(1), about: { check: 'gateway', event: 'firing', traceId: 'a' } });
    await new Promise((r) => setTimeout(r, 20));
    outbox.enqueue({ notifier: 'am', request: request(2), about: { check: 'gateway', event: 'repost', traceId: 'a' }, replaceKey: 'alert:gateway', quiet: true });
    outbox.enqueue({ notifier: 'am', request: request(3), about: { check: 'gateway', event: 'repost', traceId: 'a' }, replaceKey: 'alert:gateway', quiet: true });
    assert.equal(outbox.pending(), 2, 'the failed firing page waits for its retry, one re-post behind it');
    await outbox.stop(100);
    assert.deepEqual(bodies, ['1']);
    assert.deepEqual(log.map((l) => l.outcome), ['retrying', 'undelivered']);
  });
});
