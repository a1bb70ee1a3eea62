import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { createEventSender, MAX_REQUEST_CHARS, publicMessage, registerIpc, type ContractHandlers } from '../../../main/app/ipc.ts';
import { EVENTS, INVOKE } from '../../../main/ipc-contract.ts';
import { agentState } from './fixtures.ts';

/** A stand-in for ipcMain plus ipcRenderer.invoke, with the real contract. */
function harness<C extends Record<string, { request: z.ZodType; response: z.ZodType }>>(contract: C, handlers: ContractHandlers<C>, trusted = true) {
  const registered = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
  const logged: string[] = [];
  const ipcMain = {
    handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => Promise<unknown>) => { registered.set(channel, fn); },
    removeHandler: (channel: string) => { registered.delete(channel); },
  };
  const event = { sender: {}, senderFrame: { url: trusted ? 'app://clawbar/index.html' : 'https://evil.example/' } };
  const dispose = registerIpc(ipcMain as never, contract, handlers, () => trusted, (message) => logged.push(message));
  const invoke = (channel: string, ...args: unknown[]) => registered.get(channel)!(event, ...args);
  return { invoke, registered, logged, dispose };
}

const toy = {
  'echo:name': { request: z.object({ name: z.string().max(20) }).strict(), response: z.object({ hello: z.string() }) },
  'echo:bad': { request: z.object({}).strict(), response: z.object({ n: z.number() }) },
  'echo:throws': { request: z.object({}).strict(), response: z.object({}) },
};
const toyHandlers: ContractHandlers<typeof toy> = {
  'echo:name': async ({ name }) => ({ hello: name }),
  'echo:bad': async () => ({ n: 'not a number' }) as never,
  'echo:throws': async () => { throw new Error('ENOENT: /Users/ops/.openclaw/secret.env\n    at readFile (node:fs:1:1)'); },
};

describe('registerIpc', () => {
  it('registers every channel of the contract and removes them again', () => {
    const calls = Object.fromEntries(Object.keys(INVOKE).map((channel) => [channel, async () => ({})])) as never;
    const { registered, dispose } = harness(INVOKE, calls);
    assert.deepEqual([...registered.keys()].sort(), Object.keys(INVOKE).sort());
    dispose();
    assert.equal(registered.size, 0);
  });

  it('answers a trusted, well-formed request with the handler\'s validated response', async () => {
    const { invoke } = harness(toy, toyHandlers);
    assert.deepEqual(await invoke('echo:name', { name: 'ops' }), { hello: 'ops' });
  });

  it('rejects untrusted senders before parsing or calling the handler', async () => {
    let called = false;
    const { invoke, logged } = harness(toy, { ...toyHandlers, 'echo:name': async () => { called = true; return { hello: '' }; } }, false);
    await assert.rejects(invoke('echo:name', { name: 'ops' }), /echo:name: refused: not the clawbar window/);
    assert.equal(called, false);
    assert.match(logged[0]!, /refused/);
  });

  it('rejects malformed requests with a clear one-line error naming the field', async () => {
    const { invoke } = harness(toy, toyHandlers);
    await assert.rejects(invoke('echo:name', { name: 42 }), /^Error: echo:name: invalid request: name: .*expected string/);
    await assert.rejects(invoke('echo:name', { name: 'ops', admin: true }), /invalid request: .*admin/);
    await assert.rejects(invoke('echo:name', { name: 'ops' }, 'extra'), /expected one argument/);
    await assert.rejects(invoke('echo:name', { name: 'x'.repeat(MAX_REQUEST_CHARS) }), /too large/);
    await assert.rejects(invoke('echo:name', { name: 10n }), /not plain data/);
  });

  it('never leaks a stack or a second line to the renderer, and checks responses against the contract', async () => {
    const { invoke, logged } = harness(toy, toyHandlers);
    const error = await invoke('echo:throws', {}).catch((e: Error) => e) as Error;
    assert.equal(error.message, 'echo:throws: ENOENT: /Users/ops/.openclaw/secret.env');
    assert.doesNotMatch(error.stack ?? '', /\n\s+at /);
    await assert.rejects(invoke('echo:bad', {}), /^Error: echo:bad: internal error$/);
    assert.ok(logged.some((line) => /does not match the contract/.test(line)));
    assert.equal(publicMessage('x'.repeat(1000)).length, 301);
  });
});

/** Deterministic garbage: a small PRNG so a failure is reproducible from its seed. */
function* garbage(seed: number, count: number): Generator<unknown> {
  let state = seed;
  const next = () => { state = (state * 1103515245 + 12345) % 2 ** 31; return state / 2 ** 31; };
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)]!;
  const leaf = () => pick<unknown>([null, undefined, 0, -1, 1e308, NaN, Infinity, true, '', 'x'.repeat(Math.floor(next() * 5000)), '\u0000', 'ca', 'daemon', 'all', [], {}, new Date(0), new Uint8Array(4)]);
  const value = (depth: number): unknown => {
    if (depth > 3 || next() < 0.4) return leaf();
    if (next() < 0.3) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
    const keys = ['kind', 'world', 'check', 'id', 'cert', 'url', 'scope', 'healthIntervalSec', 'ntpServer', '__proto__', 'constructor', 'prototype', 'extra'];
    const object: Record<string, unknown> = {};
    for (let i = 0; i < Math.floor(next() * 4); i++) Object.defineProperty(object, pick(keys), { value: value(depth + 1), enumerable: true, configurable: true, writable: true });
    return object;
  };
  for (let i = 0; i < count; i++) yield value(0);
}

describe('IPC fuzzing against the real contract', () => {
  it('either refuses a garbage payload with an "invalid request" error or hands the handler a request that fits the schema', async () => {
    const received: Array<[string, unknown]> = [];
    const handlers = Object.fromEntries(Object.keys(INVOKE).map((channel) => [channel, async (request: unknown) => { received.push([channel, request]); throw new Error('stop here'); }])) as never;
    const { invoke } = harness(INVOKE, handlers);
    let refused = 0;
    let accepted = 0;
    for (const [index, payload] of [...garbage(7, 600)].entries()) {
      const channel = Object.keys(INVOKE)[index % Object.keys(INVOKE).length]!;
      const outcome = await invoke(channel, payload).then(() => 'resolved', (error: Error) => error.message);
      assert.notEqual(outcome, 'resolved');
      assert.doesNotMatch(outcome, /\n/);
      if (/invalid request/.test(outcome)) refused++;
      else {
        assert.equal(outcome, `${channel}: stop here`);
        accepted++;
      }
    }
    for (const [channel, request] of received) {
      assert.ok(INVOKE[channel as keyof typeof INVOKE].request.safeParse(request).success, `${channel} got ${JSON.stringify(request)}`);
      assert.equal(Object.getPrototypeOf(request), Object.prototype, 'a fresh plain object, never the renderer\'s');
    }
    assert.ok(refused > 300, `most garbage is refused (${refused})`);
    assert.ok(accepted > 0, 'some garbage happens to be valid (an empty request to an empty channel)');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('refuses prototype-pollution keys on strict requests and never pollutes Object.prototype', async () => {
    const { invoke } = harness(INVOKE, Object.fromEntries(Object.keys(INVOKE).map((c) => [c, async () => agentState('ok')])) as never);
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}');
    for (const channel of ['state:get', 'state:refresh', 'settings:set', 'fix:plan', 'probes:run']) {
      await assert.rejects(invoke(channel, hostile), /invalid request/);
    }
    await assert.rejects(invoke('settings:set', { healthIntervalSec: '60' }), /healthIntervalSec/);
    await assert.rejects(invoke('fix:rollback', { id: '../../etc' }), /invalid request: id/);
    await assert.rejects(invoke('fix:plan', { kind: 'ca', cert: '' }), /invalid request: cert/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('main → renderer events', () => {
  it('sends only payloads that match the contract, and nothing to a destroyed window', () => {
    const sent: Array<[string, unknown]> = [];
    const contents = { send: (channel: string, payload: unknown) => { sent.push([channel, payload]); }, isDestroyed: () => false };
    const logged: string[] = [];
    const send = createEventSender(EVENTS, (message) => logged.push(message));
    assert.equal(send(contents, 'view', { view: 'probes' }), true);
    assert.equal(send(contents, 'view', { view: 'nowhere' } as never), false);
    assert.equal(send(contents, 'state', agentState('ok')), true);
    assert.equal(send({ ...contents, isDestroyed: () => true }, 'view', { view: 'overview' }), false);
    assert.equal(send(null, 'view', { view: 'overview' }), false);
    assert.deepEqual(sent.map(([channel]) => channel), ['view', 'state']);
    assert.equal(logged.length, 1);
  });
});
