import '../../helpers/electron-mock.ts';
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { Settings } from '../../../main/settings-schema.ts';
import { calls, resetElectronMock } from '../../mocks/electron.ts';
import { choiceFor, createDebouncer, NOTICE_REPEAT_WINDOW_MS, wanted } from '../../../main/app/notify-policy.ts';

const { createNotifier } = await import('../../../main/app/notify.ts');

describe('notification debouncing', () => {
  it('admits an id once per window and again after it', () => {
    let now = 0;
    const admit = createDebouncer(1000, () => now);
    assert.equal(admit('gateway.down'), true);
    now = 999;
    assert.equal(admit('gateway.down'), false, 'a flap within the window');
    assert.equal(admit('gateway.up'), true, 'another id is news');
    now = 1000;
    assert.equal(admit('gateway.down'), true, 'the window has passed');
    assert.equal(admit('gateway.down'), false);
  });

  it('defaults to a window long enough to ride out a flapping gateway', () => {
    assert.ok(NOTICE_REPEAT_WINDOW_MS >= 10 * 60_000);
  });

  it('forgets expired ids so memory stays bounded', () => {
    let now = 0;
    const admit = createDebouncer(10, () => now);
    for (let i = 0; i < 10_000; i++) { now = i * 20; assert.equal(admit(`listener.${i}`), true); }
    now += 5;
    assert.equal(admit(`listener.${9_999}`), false);
  });

  it('maps notice areas to the operator\'s choices; unknown kinds pass', () => {
    assert.equal(choiceFor('gateway.down'), 'notifyGateway');
    assert.equal(choiceFor('listener.node|5000|*'), 'notifyListeners');
    assert.equal(choiceFor('clock.critical'), 'notifyClock');
    assert.equal(choiceFor('probes.4f2a'), 'notifyEgress');
    const off = Settings.parse({ notifyGateway: false, notifyListeners: false, notifyClock: false, notifyEgress: false });
    assert.equal(wanted('gateway.down', off), false);
    assert.equal(wanted('probes.1', off), false);
    assert.equal(wanted('fix.rolled-back', off), true);
    assert.equal(wanted('gateway.down', Settings.parse({})), true, 'on by default');
  });
});

describe('notifier', () => {
  beforeEach(() => resetElectronMock());

  it('shows a notice once, honours the choices, and a click opens the notice\'s view', () => {
    let settings = Settings.parse({});
    let now = 0;
    const opened: string[] = [];
    const notify = createNotifier({ settings: () => settings, open: (view) => opened.push(view), now: () => now });
    assert.equal(notify({ id: 'gateway.down', title: 'Gateway down', body: 'ECONNREFUSED', view: 'overview' }), true);
    assert.equal(notify({ id: 'gateway.down', title: 'Gateway down', body: 'ECONNREFUSED', view: 'overview' }), false);
    now = NOTICE_REPEAT_WINDOW_MS;
    assert.equal(notify({ id: 'gateway.down', title: 'Gateway down', body: 'again', view: 'overview' }), true);
    settings = Settings.parse({ notifyListeners: false });
    assert.equal(notify({ id: 'listener.x', title: 'New listener', body: '', view: 'listeners' }), false);
    assert.equal(notify({ id: 'probes.1', title: 'Egress', body: 'tls-trust', view: 'probes' }), true);
    assert.equal(calls.notifications.length, 3);
    assert.ok(calls.notifications.every((n) => n.shown));
    calls.notifications[2]!.emit('click');
    assert.deepEqual(opened, ['probes']);
  });
});
