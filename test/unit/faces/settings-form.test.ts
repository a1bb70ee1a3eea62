import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SettingsEdit } from '../../../main/ipc-contract.ts';
import { applySettingsEdit, settingsView } from '../../../main/settings-edit.ts';
import { PAGE_CHECKS, Settings } from '../../../main/settings-schema.ts';
import { STALE_SETTINGS } from '../../../main/contract/settings.ts';
import { CHECKS, editFromForm, fieldId, formFromView, isStale, LIMITS, newNotifier, STALE_SETTINGS as RENDERER_STALE, validate, type Limited } from '../../../renderer/views/settings-form.ts';

const stored = Settings.parse({
  ntpServer: 'time.example.test',
  paging: {
    notifiers: [
      { kind: 'slack', name: 'chat', url: 'https://hooks.slack.com/services/T0F/B0F/FormSlackSecret11' },
      { kind: 'alertmanager', name: 'am', url: 'http://am.example.test:9093', username: 'pager', password: 'FormAmPassword22', repostIntervalSec: 90 },
    ],
    heartbeatUrl: 'https://hc.example.test/FormBeatSecret33',
    checks: { gateway: { failureThreshold: 3, failureWindowSec: 300 }, clock: { enabled: false } },
  },
});
const current = { settings: stored, revision: 'rev-of-the-file-1' };
const view = settingsView(current);

/** Where each limited field sits in the settings, to probe the zod schema at its edges. */
const PATHS: Record<Limited, (n: number) => unknown> = {
  healthIntervalSec: (n) => ({ healthIntervalSec: n }), listenerIntervalSec: (n) => ({ listenerIntervalSec: n }), clockIntervalSec: (n) => ({ clockIntervalSec: n }),
  probeIntervalSec: (n) => ({ probeIntervalSec: n }), metricsPort: (n) => ({ metricsPort: n }), confirmAfterSec: (n) => ({ paging: { confirmAfterSec: n } }),
  failureThreshold: (n) => ({ paging: { checks: { egress: { failureThreshold: n } } } }), successThreshold: (n) => ({ paging: { checks: { egress: { successThreshold: n } } } }),
  reminderIntervalSec: (n) => ({ paging: { checks: { egress: { reminderIntervalSec: n } } } }),
  repostIntervalSec: (n) => ({ paging: { notifiers: [{ kind: 'alertmanager', url: 'http://am.test:9093', repostIntervalSec: n }] } }),
};

describe('settings form (renderer): checks before main does', () => {
  it('its ranges are the settings schema\'s', () => {
    for (const [key, [min, max]] of Object.entries(LIMITS) as Array<[Limited, readonly [number, number]]>) {
      const ok = (n: number) => Settings.safeParse(PATHS[key](n)).success;
      assert.deepEqual([ok(min - 1), ok(min), ok(max), ok(max + 1)], [false, true, true, false], key);
    }
  });

  it('its paged checks are the settings schema\'s', () => {
    assert.deepEqual(CHECKS, PAGE_CHECKS);
  });

  it('says what is wrong, next to the field', () => {
    const form = formFromView(view);
    form.intervals.healthIntervalSec = '2';
    form.metricsPort = '80';
    form.notifiers[0]!.url = 'ftp://hooks.example.test/x';
    form.notifiers[1]!.url = 'http://am.example.test:9093/api/v2/alerts';
    form.notifiers[1]!.password = '[redacted]';
    form.notifiers.push(newNotifier('webhook'));
    form.heartbeatUrl = 'hc.example.test/ping';
    form.checks.egress.failureThreshold = '0';
    form.ntpServer = 'bad host';
    const errors = validate(form);
    assert.equal(errors[fieldId.interval('healthIntervalSec')], 'Enter a whole number from 5 to 3600');
    assert.equal(errors['set-metricsPort'], 'Enter a whole number from 1024 to 65535');
    assert.equal(errors[fieldId.notifier(form.notifiers[0]!, 'url')], 'Enter an http:// or https:// URL');
    assert.match(errors[fieldId.notifier(form.notifiers[1]!, 'url')]!, /base URL: \/api\/v2\/alerts is added/);
    assert.match(errors[fieldId.notifier(form.notifiers[1]!, 'password')]!, /redacted value cannot be saved/);
    assert.equal(errors[fieldId.notifier(form.notifiers[2]!, 'url')], 'Enter where its pages go');
    assert.equal(errors['set-heartbeat'], 'Enter an http:// or https:// URL');
    assert.equal(errors[fieldId.check('egress', 'failures')], 'Enter a whole number from 1 to 20');
    assert.match(errors['set-ntpServer']!, /HOST, HOST:PORT/);
    assert.deepEqual(validate(formFromView(view)), {}, 'the stored settings pass');
  });
});

describe('settings form (renderer): a form older than the settings file', () => {
  it('knows main\'s refusal of it (the same words, held equal here), and nothing else, as a reason to reload', () => {
    assert.equal(RENDERER_STALE, STALE_SETTINGS);
    const refused = () => applySettingsEdit(current, SettingsEdit.parse({ ...editFromForm(formFromView(view), view), revision: 'rev-of-an-older-file' }));
    assert.throws(refused);
    try { refused(); } catch (error) { assert.ok(isStale((error as Error).message)); }
    assert.equal(isStale('notifier 1 URL: expected an http:// or https:// URL'), false);
  });
});

describe('settings form (renderer): stored secrets stay with their host', () => {
  it('asks for a password or token again when a kept notifier moves to another host, and for a new notifier when a webhook with headers does', () => {
    const form = formFromView(view);
    const am = form.notifiers[1]!;
    am.url = 'http://am.example.test:9093/';
    assert.deepEqual(validate(form), {}, 'the same host keeps them');
    am.url = 'http://attacker.example.test:9093';
    assert.equal(validate(form)[fieldId.notifier(am, 'password')], 'Type it again for the new host, or remove it: it was given for http://am.example.test:9093');
    const sent = (edit: unknown) => () => applySettingsEdit(current, SettingsEdit.parse(edit));
    assert.throws(sent(editFromForm(form, view)), /notifier 2: its password was given for http:\/\/am\.example\.test:9093/, 'main refuses the same');
    am.password = 'Retyped55';
    assert.deepEqual(validate(form), {});
    assert.equal((sent(editFromForm(form, view))().paging.notifiers[1] as { password?: string }).password, 'Retyped55');
    am.password = '';
    am.removePassword = true;
    assert.deepEqual(validate(form), {});

    const hooked = Settings.parse({ paging: { notifiers: [{ kind: 'webhook', url: 'https://hooks.example.test/FormHookSecret66', headers: { 'x-api-key': 'FormHeaderSecret77' } }] } });
    const hookView = settingsView({ settings: hooked, revision: 'rev-of-the-file-2' });
    const hookForm = formFromView(hookView);
    hookForm.notifiers[0]!.url = 'https://elsewhere.example.test/hook';
    assert.equal(validate(hookForm)[fieldId.notifier(hookForm.notifiers[0]!, 'url')], 'Its headers stay with https://hooks.example.test: keep that host, or add a new notifier for this one');
    assert.throws(() => applySettingsEdit({ settings: hooked, revision: 'rev-of-the-file-2' }, SettingsEdit.parse(editFromForm(hookForm, hookView))), /notifier 1: its header values \(x-api-key\)/);
  });
});

describe('settings form (renderer): the edit it sends', () => {
  it('an untouched form sends no secret, and main keeps the stored settings exactly', () => {
    const edit = editFromForm(formFromView(view), view);
    const text = JSON.stringify(edit);
    for (const secret of ['FormSlackSecret11', 'FormAmPassword22', 'FormBeatSecret33', 'hooks.slack.com', 'hc.example.test']) assert.ok(!text.includes(secret), secret);
    assert.deepEqual(edit.paging?.notifiers, [{ kind: 'slack', from: 0, name: 'chat' }, { kind: 'alertmanager', from: 1, name: 'am', username: 'pager', repostIntervalSec: 90 }]);
    assert.equal('heartbeatUrl' in edit.paging!, false);
    assert.deepEqual(applySettingsEdit(current, SettingsEdit.parse(edit)), stored);
  });

  it('typed values replace, removals remove, rule changes are kept as overrides', () => {
    const form = formFromView(view);
    form.notifiers[0]!.url = 'https://hooks.slack.com/services/T0F/B0F/Replaced44';
    form.notifiers[1]!.removePassword = true;
    form.removeHeartbeat = true;
    form.checks.gateway.failureThreshold = '';
    form.checks.exposure.sendResolved = false;
    form.checks.clock.enabled = true;
    form.notifiers.push({ ...newNotifier('webhook'), name: 'new', url: 'http://127.0.0.1:8080/hook' });
    const next = applySettingsEdit(current, SettingsEdit.parse(editFromForm(form, view)));
    assert.equal(next.paging.notifiers[0]!.url, 'https://hooks.slack.com/services/T0F/B0F/Replaced44');
    assert.equal((next.paging.notifiers[1] as { password?: string }).password, undefined);
    assert.equal(next.paging.heartbeatUrl, null);
    assert.deepEqual(next.paging.checks, { gateway: { failureWindowSec: 300 }, exposure: { sendResolved: false }, clock: { enabled: true } });
    assert.deepEqual(next.paging.notifiers[2], { kind: 'webhook', name: 'new', url: 'http://127.0.0.1:8080/hook' });
  });
});
