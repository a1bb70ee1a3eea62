import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentState } from '../../../main/ipc-contract.ts';
import { observe } from '../../../main/paging/observe.ts';
import { Pager } from '../../../main/paging/pager.ts';
import { Settings } from '../../../main/settings-schema.ts';
import { startReceiver } from '../../peers/receiver.ts';

type Partial = { failures?: number; exposed?: boolean; bind?: 'warn' | 'critical'; layers?: string[]; failing?: string[]; reverted?: boolean };

/** Just the parts of an agent state the pager reads. */
function state(p: Partial = {}): AgentState {
  return {
    gateway: { state: p.failures ? (p.failures > 1 ? 'down' : 'ok') : 'ok', url: 'http://127.0.0.1:18789/health', latencyMs: p.failures ? null : 1.2, p95Ms: 1.5, failing: p.failing ?? [], status: p.failures ? null : 200, error: p.failures ? 'ECONNREFUSED' : null, version: '2026.9.6', uptimeMs: 1, consecutiveFailures: p.failures ?? 0 },
    gatewayInfo: { port: 18789 },
    listeners: { items: p.exposed ? [{ address: '*', port: 18789, process: 'openclaw-', pid: 7, severity: 'critical', note: "the OpenClaw gateway's port on every interface" }] : [] },
    clock: null,
    lastProbe: p.layers ? { traceId: 'probe-1', summary: { ok: 3 - p.layers.length, total: 3 }, results: p.layers.map((layer, i) => ({ ok: false, layer, target: `https://h${i}.test/`, name: `host ${i}`, explanation: 'why', fix: 'how', remedy: null })) } : null,
    findings: [
      ...(p.bind ? [{ id: 'bind.not-loopback', severity: p.bind, title: 'gateway.bind is lan: the gateway listens beyond this Mac', fix: 'clawbar fix bind' }] : []),
      ...(p.reverted ? [{ id: 'fix.reverted', severity: 'warn', title: 'The bind fix is no longer in force', fix: 'clawbar fix reapply f1' }] : []),
    ],
  } as unknown as AgentState;
}

describe('what a check run says about paged checks', () => {
  const settings = Settings.parse({});
  it('gateway from the health run, exposure from listeners or service, egress per layer from probes', () => {
    assert.deepEqual(observe('health', state({ failures: 1 }), settings, 0, []).map((o) => [o.key, o.failing, o.state]), [['gateway', true, 'down']]);
    assert.deepEqual(observe('listeners', state({ exposed: true }), settings, 0, []).map((o) => [o.key, o.failing, o.severity]), [['exposure', true, 'critical']]);
    assert.deepEqual(observe('service', state({ bind: 'warn' }), settings, 0, []).map((o) => [o.key, o.failing, o.severity]), [['exposure', true, 'warning']]);
    assert.deepEqual(observe('service', state({ bind: 'warn' }), Settings.parse({ listenerExceptions: [{ port: 18789, reason: 'tailnet, token auth' }] }), 0, []).map((o) => o.failing), [false], 'a documented exception is no exposure');
    assert.deepEqual(observe('probes', state({ layers: ['tls-trust', 'tls-trust', 'dns'] }), settings, 0, ['egress/proxy']).map((o) => [o.key, o.failing]), [['egress/tls-trust', true], ['egress/dns', true], ['egress/proxy', false]]);
    assert.deepEqual(observe('service', state({ reverted: true }), settings, 0, []).map((o) => [o.key, o.failing]), [['exposure', false], ['fixReverted', true]]);
    assert.deepEqual(observe('metrics', state({ failures: 3 }), settings, 0, []), []);
  });
});

describe('pager', () => {
  it('inactive without notifiers; with them: one firing and one resolved per notifier, held pages logged and sent when maintenance ends', async () => {
    const receiver = await startReceiver();
    const log: Array<Record<string, unknown>> = [];
    let held: string | null = null;
    let clock = Date.parse('2026-01-05T09:00:00Z');
    const pager = new Pager({
      now: () => new Date(clock), redact: (v) => v, log: (r) => log.push(r), net: () => null, maintenance: async () => held,
      loadTracks: async () => ({}), saveTracks: async () => undefined, backoff: { firstMs: 10, factor: 2, maxMs: 20, maxAttempts: 2 },
    });
    try {
      pager.configure(Settings.parse({}));
      assert.equal(await pager.checked('health', state({ failures: 1 })), false);
      assert.equal(log.length, 0);
      pager.configure(Settings.parse({ paging: { node: 'n1', notifiers: [{ kind: 'webhook', url: receiver.url('/hook') }, { kind: 'slack', url: receiver.url('/slack') }], checks: { gateway: { sendResolved: false } } } }));
      const look = async (p: Partial) => { clock += 30_000; return pager.checked('health', state(p)); };
      assert.equal(await look({ failures: 1 }), true, 'a first failure asks for a prompt second look');
      await look({ failures: 2 });
      await look({ failures: 3 });
      await look({});
      await look({});
      for (let i = 0; i < 50 && receiver.received.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(receiver.received.map((r) => [r.path, (r.json as { event?: string }).event ?? 'slack']), [['/hook', 'firing'], ['/slack', 'slack']]);
      assert.deepEqual(log.filter((l) => l.event === 'page').map((l) => [l.transition, l.notifiers]), [['firing', ['webhook#1', 'slack#2']], ['resolved', []]], 'sendResolved off for the gateway');

      held = 'paused until later: upgrade';
      await look({ failures: 1 });
      await look({ failures: 2 });
      assert.equal(log.at(-1)?.outcome, 'held');
      held = null;
      await look({ failures: 3 });
      for (let i = 0; i < 50 && receiver.received.length < 4; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(receiver.on('/hook').length, 2, 'the held firing page goes out when maintenance ends');
      assert.deepEqual(pager.firing().map((f) => f.key), ['gateway']);

      // Fired, then recovered while OpenClaw drained: the resolved page is owed, and goes out when maintenance ends.
      pager.configure(Settings.parse({ paging: { node: 'n1', notifiers: [{ kind: 'webhook', url: receiver.url('/hook') }] } }));
      held = 'OpenClaw reports the gateway draining';
      await look({});
      await look({});
      assert.deepEqual([log.at(-1)?.transition, log.at(-1)?.outcome], ['resolved', 'held']);
      assert.equal(receiver.on('/hook').length, 2, 'nothing is sent while held');
      held = null;
      await look({});
      for (let i = 0; i < 50 && receiver.on('/hook').length < 3; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(receiver.on('/hook').map((r) => (r.json as { event: string }).event), ['firing', 'firing', 'resolved'], 'the held resolved page goes out when maintenance ends');
      assert.deepEqual(pager.firing(), []);
      await look({});
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(receiver.on('/hook').length, 3, 'and only once');
    } finally {
      await pager.stop();
      await receiver.close();
    }
  });

  it('pages owed when a window closed in another process (a restart, a handover) go out at the next look with nothing held', async () => {
    const receiver = await startReceiver();
    let saved: Record<string, unknown> = {};
    let held: string | null = 'OpenClaw reports the gateway draining';
    let clock = Date.parse('2026-01-05T09:00:00Z');
    const make = () => new Pager({
      now: () => new Date(clock), redact: (v) => v, log: () => undefined, net: () => null, maintenance: async () => held,
      loadTracks: async () => structuredClone(saved) as never, saveTracks: async (tracks) => { saved = structuredClone(tracks); }, backoff: { firstMs: 10, factor: 2, maxMs: 20, maxAttempts: 2 },
    });
    const settings = Settings.parse({ paging: { node: 'n1', notifiers: [{ kind: 'webhook', url: receiver.url('/owed') }] } });
    const first = make();
    const look = async (pager: Pager, p: Partial) => { clock += 30_000; return pager.checked('listeners', state(p)); };
    try {
      first.configure(settings);
      held = null;
      await look(first, { exposed: true });
      await look(first, { exposed: true });
      for (let i = 0; i < 50 && receiver.on('/owed').length < 1; i++) await new Promise((r) => setTimeout(r, 20));
      held = 'OpenClaw reports the gateway draining';
      await look(first, {});
      await look(first, {});
      await first.stop();
      assert.deepEqual(receiver.on('/owed').map((r) => (r.json as { event: string }).event), ['firing'], 'the resolved page was held');

      // The watcher restarts; the window has closed meanwhile.
      held = null;
      const second = make();
      second.configure(settings);
      await look(second, {});
      for (let i = 0; i < 50 && receiver.on('/owed').length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(receiver.on('/owed').map((r) => (r.json as { event: string }).event), ['firing', 'resolved']);
      await look(second, {});
      await second.stop();
      assert.equal(receiver.on('/owed').length, 2, 'once');
    } finally {
      await receiver.close();
    }
  });
});
