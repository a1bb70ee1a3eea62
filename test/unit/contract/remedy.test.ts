import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixCommand, type FixArgs } from '../../../main/cli/fix-command.ts';
import { FixInput, FixKind, FixRequest, fixRemedy, Remedy, viewRemedy, type ServiceFixRequest } from '../../../main/contract.ts';
import { FIX_NEEDS, fixRemedyUnchecked } from '../../../main/contract/remedies.ts';
import { FixApply, INVOKE } from '../../../main/ipc-contract.ts';
import { UsageError } from '../../../main/system/errors.ts';

describe('fixRemedy: the fix a diagnosis points at, with its request, what it still needs and its command', () => {
  const rows: Array<[string, Remedy, Remedy]> = [
    ['a CA file the operator must choose', fixRemedy('ca'), { fix: { kind: 'ca', request: {}, needs: ['cert'] }, view: 'fixes', command: 'clawbar fix ca --cert <CA file>' }],
    ['a CA for the gateway only', fixRemedy('ca', { scope: 'gateway' }), { fix: { kind: 'ca', request: { scope: 'gateway' }, needs: ['cert'] }, view: 'fixes', command: 'clawbar fix ca --cert <CA file> --scope gateway' }],
    ['a CA file the diagnosis knows', fixRemedy('ca', { cert: '/Users/op/corp ca.pem' }), { fix: { kind: 'ca', request: { cert: '/Users/op/corp ca.pem' }, needs: [] }, view: 'fixes', command: "clawbar fix ca --cert '/Users/op/corp ca.pem'" }],
    ['a proxy URL the operator must give', fixRemedy('proxy'), { fix: { kind: 'proxy', request: {}, needs: ['url'] }, view: 'fixes', command: 'clawbar fix proxy --url <proxy URL>' }],
    ['a proxy with loopback kept direct', fixRemedy('proxy', { noProxy: 'localhost,127.0.0.1,::1' }), { fix: { kind: 'proxy', request: { noProxy: 'localhost,127.0.0.1,::1' }, needs: ['url'] }, view: 'fixes', command: 'clawbar fix proxy --url <proxy URL> --no-proxy localhost,127.0.0.1,::1' }],
    ['bind needs nothing', fixRemedy('bind'), { fix: { kind: 'bind', request: {}, needs: [] }, view: 'fixes', command: 'clawbar fix bind' }],
    ['the clock from a named server', fixRemedy('clock', { server: '[::1]:123' }), { fix: { kind: 'clock', request: { server: '[::1]:123' }, needs: [] }, view: 'fixes', command: "clawbar fix clock --server '[::1]:123'" }],
    ['a view and a command, no guided fix', viewRemedy('environment', 'openclaw doctor'), { fix: null, view: 'environment', command: 'openclaw doctor' }],
  ];
  for (const [name, actual, expected] of rows) {
    it(name, () => {
      assert.deepEqual(actual, expected);
      assert.deepEqual(Remedy.parse(actual), expected, 'valid against the contract, and nothing stripped');
    });
  }

  it('a value the request schema refuses is a bug in the diagnosis, caught where it is made', () => {
    assert.throws(() => fixRemedy('proxy', { url: 'proxy.corp' }), /url/i);
  });

  it('the probe child\'s zod-free table of what each fix needs is what FixRequest demands', () => {
    for (const kind of FixKind.options) {
      const check = FixRequest.safeParse({ kind });
      const demanded = check.success ? [] : check.error.issues.map((issue) => FixInput.parse(issue.path[0]));
      assert.deepEqual([...FIX_NEEDS[kind]].sort(), demanded.sort(), kind);
      assert.deepEqual(fixRemedyUnchecked(kind), fixRemedy(kind), `${kind}: the child's remedy is the checked one`);
    }
  });

  it('a complete request is exactly what the CLI and IPC accept', () => {
    const fix = fixRemedy('proxy', { url: 'http://proxy.corp:3128', noProxy: 'localhost' }).fix!;
    assert.deepEqual(fix.needs, []);
    assert.deepEqual(FixRequest.parse({ kind: fix.kind, ...fix.request }), { kind: 'proxy', url: 'http://proxy.corp:3128', noProxy: 'localhost' });
  });
});

describe('one FixRequest for the CLI, IPC and the fix engine', () => {
  it('IPC plans and applies with the contract schema itself', () => {
    assert.equal(INVOKE['fix:plan'].request, FixRequest);
    assert.equal(FixApply.shape.fix, FixRequest);
  });

  it('a request from the renderer cannot name a service file: unknown keys are stripped', () => {
    assert.deepEqual(FixRequest.parse({ kind: 'bind', plistPath: '/etc/evil.plist' }), { kind: 'bind' });
    assert.deepEqual(FixRequest.parse({ kind: 'ca', cert: '/tmp/ca.pem', plistPath: '/etc/evil.plist' }), { kind: 'ca', cert: '/tmp/ca.pem' });
  });

  const args = (over: Partial<FixArgs>): FixArgs => ({
    sub: 'bind', id: undefined, dryRun: false, apply: false, force: false, json: false, target: [], resolve: [], dnsServer: [], timeoutMs: 8_000, restartTimeoutMs: 90_000, ...over,
  });
  /** A session that records what the CLI asks of the fix engine. */
  const session = (asked: ServiceFixRequest[]) => ({
    fix: async (request: ServiceFixRequest) => {
      asked.push(request);
      return { schema: 'clawbar.fix/1', kind: request.kind, mode: 'dry-run', ok: true, summary: 'dry run', plan: null, preflight: null, bundleId: null, verify: null, steps: [], findings: [] };
    },
  }) as never;
  const out = { print: () => undefined, progress: () => undefined } as never;

  const refused: Array<[string, Partial<FixArgs>, RegExp]> = [
    ['ca without --cert', { sub: 'ca' }, /^fix ca needs --cert FILE \(PEM, DER or a PEM bundle\)$/],
    ['ca with an empty --cert', { sub: 'ca', cert: '' }, /^fix ca needs --cert FILE/],
    ['ca with an unknown scope', { sub: 'ca', cert: 'ca.pem', scope: 'everything' }, /^--scope must be gateway or system$/],
    ['proxy without --url', { sub: 'proxy' }, /^fix proxy needs --url http:\/\/\[user:password@\]host:port$/],
    ['proxy with something that is no URL, the password not echoed', { sub: 'proxy', url: 'not a url S3cret-pw' }, /^--url is not a URL \(expected http:\/\/\[user:password@\]host:port\)$/],
    ['proxy with a port out of range', { sub: 'proxy', url: 'http://ops:S3cret-pw@127.0.0.1:99999' }, /^--url is not a URL/],
  ];
  for (const [name, over, message] of refused) {
    it(`the CLI refuses ${name} as bad usage (exit 64)`, async () => {
      const asked: ServiceFixRequest[] = [];
      await assert.rejects(fixCommand(session(asked), args(over), out), (error: Error) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, message);
        assert.doesNotMatch(error.message, /S3cret-pw/);
        return true;
      });
      assert.deepEqual(asked, [], 'nothing reached the fix engine');
    });
  }

  const accepted: Array<[string, Partial<FixArgs>, ServiceFixRequest]> = [
    ['ca, scope gateway by default', { sub: 'ca', cert: 'corp-ca.pem', plist: '/L/ai.openclaw.gateway.plist' }, { kind: 'ca', cert: 'corp-ca.pem', scope: 'gateway', plistPath: '/L/ai.openclaw.gateway.plist' }],
    ['ca for the whole Mac', { sub: 'ca', cert: 'corp-ca.pem', scope: 'system' }, { kind: 'ca', cert: 'corp-ca.pem', scope: 'system', plistPath: undefined }],
    ['proxy with its NO_PROXY list', { sub: 'proxy', url: 'http://ops:pw@proxy.corp:3128', noProxy: 'localhost,127.0.0.1,::1' }, { kind: 'proxy', url: 'http://ops:pw@proxy.corp:3128', noProxy: 'localhost,127.0.0.1,::1', plistPath: undefined }],
    ['bind, ignoring options that belong to other fixes', { sub: 'bind', cert: 'x.pem' }, { kind: 'bind', plistPath: undefined }],
    ['clock from a server', { sub: 'clock', server: 'time.corp:123' }, { kind: 'clock', server: 'time.corp:123', plistPath: undefined }],
  ];
  for (const [name, over, request] of accepted) {
    it(`the CLI hands the engine the parsed request: ${name}`, async () => {
      const asked: ServiceFixRequest[] = [];
      assert.equal(await fixCommand(session(asked), args(over), out), 0);
      assert.deepEqual(asked, [request]);
    });
  }
});
