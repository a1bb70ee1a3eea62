import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SettingsEdit, SettingsView } from '../../main/ipc-contract.ts';
import type { NotifierEdit } from '../../main/contract/settings.ts';
import { applySettingsEdit, settingsView, urlHint } from '../../main/settings-edit.ts';
import { Settings } from '../../main/settings-schema.ts';

const HOOK = 'https://hooks.example.test/T0/B0/HookPathSecret0001';
const SLACK = 'https://hooks.slack.com/services/T0EDIT/B0EDIT/SlackPathSecret0002';
const HEARTBEAT = 'https://hc-ping.example.test/HeartbeatSecret0003';
const stored = Settings.parse({
  healthIntervalSec: 30,
  paging: {
    node: 'mini-1',
    notifiers: [
      { kind: 'webhook', name: 'hook', url: HOOK, headers: { authorization: 'Bearer HeaderSecret0004', 'x-team': 'ops' } },
      { kind: 'slack', name: 'chat', url: SLACK },
      { kind: 'alertmanager', name: 'am', url: 'http://am.example.test:9093', username: 'pager', password: 'AmPasswordSecret0005', labels: { team: 'ops' }, repostIntervalSec: 120 },
      { kind: 'alertmanager', url: 'http://am2.example.test:9093', bearerToken: 'AmTokenSecret0006' },
    ],
    heartbeatUrl: HEARTBEAT,
    checks: { gateway: { failureThreshold: 3, failureWindowSec: 300 } },
  },
});
/** The settings file as the handlers read it: its settings and the revision of its bytes. */
const REV = 'rev-of-the-file-1';
const current = { settings: stored, revision: REV };
const SECRETS = ['HookPathSecret0001', 'SlackPathSecret0002', 'HeartbeatSecret0003', 'HeaderSecret0004', 'AmPasswordSecret0005', 'AmTokenSecret0006'];

/** The rows a form that changed nothing sends back: every stored notifier by its place, no secret. */
const untouched = (): NotifierEdit[] => settingsView(current).paging.notifiers.map((n, i) => ({
  from: i, kind: n.kind, ...(n.name ? { name: n.name } : {}), ...(n.username !== undefined ? { username: n.username } : {}),
  ...(n.repostIntervalSec !== undefined ? { repostIntervalSec: n.repostIntervalSec } : {}),
}));

describe('settings view: what the renderer is shown', () => {
  it('says where each notifier goes and which credentials are set, never a secret', () => {
    const view = SettingsView.parse(settingsView(current));
    const text = JSON.stringify(view);
    for (const secret of SECRETS) assert.ok(!text.includes(secret), secret);
    assert.deepEqual(view.paging.notifiers.map((n) => n.urlHint), ['https://hooks.example.test/…', 'https://hooks.slack.com/…', 'http://am.example.test:9093', 'http://am2.example.test:9093']);
    assert.deepEqual(view.paging.notifiers[0]!.headerNames, ['authorization', 'x-team']);
    assert.deepEqual(view.paging.notifiers.map((n) => [n.hasPassword, n.hasBearerToken]), [[false, false], [false, false], [true, false], [false, true]]);
    assert.equal(view.paging.notifiers[2]!.username, 'pager');
    assert.equal(view.paging.heartbeatHint, 'https://hc-ping.example.test/…');
    assert.equal(view.healthIntervalSec, 30);
  });

  it('shows each check\'s inherited rule, and the revision of the file it was read from', () => {
    const view = settingsView(current);
    assert.deepEqual(view.paging.inherited.gateway, { enabled: true, failureThreshold: 2, failureWindowSec: 120, successThreshold: 2, reminderIntervalSec: 0, sendResolved: true });
    assert.equal(view.paging.inherited.clock.failureWindowSec, null);
    assert.deepEqual(view.paging.checks.gateway, { failureThreshold: 3, failureWindowSec: 300 });
    assert.equal(view.revision, REV);
  });

  it('hints a URL by scheme and host only', () => {
    assert.equal(urlHint('https://u:p@example.test:8443/a?b=c'), 'https://example.test:8443/…');
    assert.equal(urlHint('http://127.0.0.1:9/'), 'http://127.0.0.1:9/');
    assert.equal(urlHint('not a url'), '…');
  });
});

describe('settings edit: secrets left out are kept', () => {
  it('a save that touched no secret keeps every one of them, byte for byte', () => {
    const rows = untouched();
    rows[1]!.name = 'chat-ops';
    const next = applySettingsEdit(current, SettingsEdit.parse({ revision: REV, healthIntervalSec: 45, paging: { notifiers: rows, confirmAfterSec: 20 } }));
    assert.equal(next.healthIntervalSec, 45);
    assert.equal(next.paging.confirmAfterSec, 20);
    assert.deepEqual(next.paging.notifiers, [stored.paging.notifiers[0], { ...stored.paging.notifiers[1], name: 'chat-ops' }, stored.paging.notifiers[2], stored.paging.notifiers[3]]);
    assert.equal(next.paging.heartbeatUrl, HEARTBEAT);
    assert.deepEqual(next.paging.checks, stored.paging.checks);
  });

  it('a URL or credential typed anew replaces the stored one (a URL on the same host keeps its headers); an emptied credential is removed; a heartbeat can be turned off', () => {
    const rows = untouched();
    rows[0]!.url = 'https://hooks.example.test/NewHookPath0007';
    rows[2]!.password = '';
    rows[3]!.bearerToken = 'NewAmToken0008';
    const next = applySettingsEdit(current, { revision: REV, paging: { notifiers: rows, heartbeatUrl: null } });
    assert.equal(next.paging.notifiers[0]!.url, 'https://hooks.example.test/NewHookPath0007');
    assert.deepEqual((next.paging.notifiers[0] as { headers?: object }).headers, { authorization: 'Bearer HeaderSecret0004', 'x-team': 'ops' }, 'headers the form does not show are kept while the host stays');
    assert.equal((next.paging.notifiers[2] as { password?: string }).password, undefined);
    assert.deepEqual((next.paging.notifiers[2] as { labels?: object }).labels, { team: 'ops' });
    assert.equal((next.paging.notifiers[3] as { bearerToken?: string }).bearerToken, 'NewAmToken0008');
    assert.equal(next.paging.heartbeatUrl, null);
  });

  it('a notifier moved to another host keeps what is not secret, and takes the credentials typed for it', () => {
    const rows = untouched();
    rows[1]!.url = 'https://chat.example.test/hook/NewChatPath0009';
    rows[2] = { ...rows[2]!, url: 'https://am-new.example.test', password: 'RetypedAmPassword0010' };
    rows[3] = { ...rows[3]!, url: 'https://am3.example.test', bearerToken: '' };
    const next = applySettingsEdit(current, { revision: REV, paging: { notifiers: rows } });
    assert.deepEqual(next.paging.notifiers.slice(1), [
      { kind: 'slack', name: 'chat', url: 'https://chat.example.test/hook/NewChatPath0009' },
      { kind: 'alertmanager', name: 'am', url: 'https://am-new.example.test', username: 'pager', password: 'RetypedAmPassword0010', labels: { team: 'ops' }, repostIntervalSec: 120 },
      { kind: 'alertmanager', url: 'https://am3.example.test' },
    ]);
    const plain = Settings.parse({ paging: { notifiers: [{ kind: 'webhook', url: 'https://hooks.example.test/a' }] } });
    const moved = applySettingsEdit({ settings: plain, revision: REV }, { revision: REV, paging: { notifiers: [{ from: 0, kind: 'webhook', url: 'https://other.example.test/b' }] } });
    assert.deepEqual(moved.paging.notifiers, [{ kind: 'webhook', url: 'https://other.example.test/b' }], 'a webhook without headers has nothing to keep');
  });

  it('removes, reorders and adds notifiers; a new one needs its URL', () => {
    const [, slack] = untouched();
    const next = applySettingsEdit(current, { revision: REV, paging: { notifiers: [slack!, { kind: 'webhook', name: 'new', url: 'http://127.0.0.1:8080/hook' }] } });
    assert.deepEqual(next.paging.notifiers, [stored.paging.notifiers[1], { kind: 'webhook', name: 'new', url: 'http://127.0.0.1:8080/hook' }]);
    assert.throws(() => applySettingsEdit(current, { revision: REV, paging: { notifiers: [{ kind: 'slack', name: 'x' }] } }), /notifier 1 URL: enter where its pages go/);
  });

  it('changes no other setting: what the edit leaves out stays as stored', () => {
    const next = applySettingsEdit(current, { revision: REV, ntpServer: 'time.example.test:123' });
    assert.deepEqual(next, { ...stored, ntpServer: 'time.example.test:123' });
  });
});

describe('settings edit: refused, with a message, and nothing of it applied', () => {
  const refuse = (edit: Parameters<typeof applySettingsEdit>[1], message: RegExp) => {
    const before = structuredClone(stored);
    assert.throws(() => applySettingsEdit(current, edit), message);
    assert.deepEqual(stored, before, 'the stored settings are untouched');
  };

  it('a URL that is not http or https, with the notifier it belongs to', () => {
    const rows = untouched();
    rows[1]!.url = 'ftp://hooks.example.test/x';
    refuse({ revision: REV, paging: { notifiers: rows } }, /notifier 2 URL: expected an http:\/\/ or https:\/\/ URL/);
    rows[1]!.url = 'not a url';
    refuse({ revision: REV, paging: { notifiers: rows } }, /notifier 2 URL: Invalid URL/);
    refuse({ revision: REV, paging: { heartbeatUrl: 'gopher://x' } }, /heartbeat URL: expected an http/);
  });

  it('numbers out of range', () => {
    refuse({ revision: REV, paging: { confirmAfterSec: 2 } }, /confirmation delay: Too small/);
    refuse({ revision: REV, paging: { checks: { egress: { failureThreshold: 0 } } } }, /egress rule: failures before paging: Too small/);
    const rows = untouched();
    rows[2]!.repostIntervalSec = 5;
    refuse({ revision: REV, paging: { notifiers: rows } }, /notifier 3 re-post interval: Too small/);
    assert.equal(SettingsEdit.safeParse({ healthIntervalSec: 2 }).success, false, 'a top-level setting out of range is refused by the request schema');
  });

  it('a redacted value sent back', () => {
    const rows = untouched();
    rows[0]!.url = 'https://hooks.example.test/[redacted]';
    refuse({ revision: REV, paging: { notifiers: rows } }, /a redacted value cannot be saved/);
    refuse({ revision: REV, paging: { heartbeatUrl: '[redacted]' } }, /a redacted value cannot be saved/);
  });

  it('an edit made from another revision of the file, whatever it changes: it would overwrite what changed since, and keep secrets by places in a list that may have moved', () => {
    refuse({ revision: 'rev-of-an-older-file', paging: { notifiers: untouched() } }, /^SettingsEditError: the settings file changed since this form was loaded; reload it and edit again$/);
    refuse({ revision: 'rev-of-an-older-file', healthIntervalSec: 45 }, /the settings file changed since this form was loaded/);
    assert.equal(SettingsEdit.safeParse({ healthIntervalSec: 45 }).success, false, 'every edit names its revision');
    refuse({ revision: REV, paging: { notifiers: [{ from: 7, kind: 'slack' }] } }, /no longer stored/);
  });

  it('a kept notifier sent to another host without its stored secrets typed again: header values, a password, a bearer token', () => {
    const rows = untouched();
    rows[0]!.url = 'https://attacker.example.test/hook';
    refuse({ revision: REV, paging: { notifiers: rows } },
      /^SettingsEditError: notifier 1: its header values \(authorization, x-team\) were given for https:\/\/hooks\.example\.test and are not sent to https:\/\/attacker\.example\.test; keep that host, or remove this notifier/);
    for (const url of ['http://hooks.example.test/T0/B0/HookPathSecret0001', 'https://hooks.example.test:8443/T0/B0/HookPathSecret0001']) {
      rows[0]!.url = url;
      refuse({ revision: REV, paging: { notifiers: rows } }, /notifier 1: its header values/);
    }

    const am = untouched();
    am[2]!.url = 'http://attacker.example.test:9093';
    refuse({ revision: REV, paging: { notifiers: am } },
      /^SettingsEditError: notifier 3: its password was given for http:\/\/am\.example\.test:9093 and is not sent to http:\/\/attacker\.example\.test:9093; type it again for the new URL, or remove it$/);
    am[2]!.url = 'http://am.example.test:9094';
    refuse({ revision: REV, paging: { notifiers: am } }, /notifier 3: its password was given for http:\/\/am\.example\.test:9093 and is not sent to http:\/\/am\.example\.test:9094/);
    const token = untouched();
    token[3]!.url = 'https://attacker.example.test/';
    refuse({ revision: REV, paging: { notifiers: token } }, /notifier 4: its bearer token was given for http:\/\/am2\.example\.test:9093 and is not sent to https:\/\/attacker\.example\.test/);
  });

  it('a kind changed under a kept notifier (its secret URL would serve the new kind), or one stored notifier kept twice', () => {
    const toSlack = untouched();
    toSlack[0] = { ...toSlack[0]!, kind: 'slack' };
    refuse({ revision: REV, paging: { notifiers: toSlack } }, /^SettingsEditError: notifier 1: a stored webhook notifier cannot become a slack one; remove it and add a new slack notifier$/);
    const toAm = untouched();
    toAm[1] = { from: 1, kind: 'alertmanager' };
    refuse({ revision: REV, paging: { notifiers: toAm } }, /notifier 2: a stored slack notifier cannot become an alertmanager one/);
    const twice = untouched();
    twice.push({ from: 0, kind: 'webhook', name: 'copy' });
    refuse({ revision: REV, paging: { notifiers: twice } }, /^SettingsEditError: notifier 5 edits the same stored notifier as notifier 1; reload the settings$/);
  });

  it('unknown keys, by the request schema', () => {
    assert.equal(SettingsEdit.safeParse({ paging: { notifiers: [{ kind: 'slack', url: 'https://x.test/', headers: {} }] } }).success, false);
    assert.equal(SettingsEdit.safeParse({ bogus: 1 }).success, false);
  });
});
