import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { FixOutcome, type FixStep } from '../../../main/contract.ts';
import { createBundle, newBundleId, type BundleManifest } from '../../../main/fixes/bundle.ts';
import { readTrustedManifest } from '../../../main/fixes/bundle-trust.ts';
import { rollbackFix, runFix } from '../../../main/fixes/index.ts';
import { runTransaction, type TransactionOptions } from '../../../main/fixes/transaction.ts';
import type { FileWrite, FixContext, FixDraft } from '../../../main/fixes/types.ts';
import { loadServiceEnvironment } from '../../../main/service/environment.ts';
import { formatEnvFile } from '../../../main/service/env-file-format.ts';
import type { ExecResult, Executor } from '../../../main/system/exec.ts';
import { makeHome, writeService, type ServiceFiles } from '../../helpers/world.ts';

/**
 * The fix transaction as a table: one row per path through plan → preview →
 * checks → pre-flight → backup → write → commands → restart → verify →
 * report/rollback. launchd and the keychain are an executor that answers as
 * launchctl and security would; the gateway and the probe targets are HTTP
 * servers on 127.0.0.1 that the rows switch between healthy and not.
 */

const isRoot = process.getuid?.() === 0;
const CA_PEM = Buffer.from('-----BEGIN CERTIFICATE-----\nTUlJQmxvb3BiYWNrLXRlc3QtY2E=\n-----END CERTIFICATE-----\n');
const KEYCHAIN = '/Library/Keychains/System.keychain';
/** The per-user key the store would keep: every bundle of these rows is signed with it. */
const TRUST = { key: Buffer.alloc(32, 7), uid: process.getuid?.() ?? -1 };
const readManifest = (root: string, id: string) => readTrustedManifest(root, id, TRUST);
const REQUEST = { kind: 'ca', cert: '/test/ca.pem' } as const;
const CANCELED = 'SecTrustSettingsSetTrustSettings: The authorization was canceled by the user.\n';

/** A loopback port nothing listens on: a gateway or proxy that does not answer. */
let deadPort = 0;
before(async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  deadPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
});

/**
 * A row's own gateway on loopback: health and readiness answer what the row
 * sets; /target is the probe target of the pre-flight rows. One per row, so
 * rows can run side by side.
 */
async function startGateway(): Promise<{ server: Server; port: number; answers: { health: number; ready: number } }> {
  const answers = { health: 200, ready: 200 };
  const server = createServer((request, response) => {
    const status = request.url === '/health' ? answers.health : request.url === '/readyz' ? answers.ready : request.url === '/target' ? 200 : 404;
    response.writeHead(status, { 'content-type': 'application/json', connection: 'close' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // The port must not be the one the rows rely on to refuse connections.
  if ((server.address() as AddressInfo).port === deadPort) {
    await new Promise((resolve) => server.close(resolve));
    return startGateway();
  }
  return { server, port: (server.address() as AddressInfo).port, answers };
}

type AuditRecord = { fixId: string; kind: string; step: FixStep };

interface World {
  home: string;
  /** The port the service's gateway listens on (this row's server, or a dead one). */
  port: number;
  gateway: { health: number; ready: number };
  svc: ServiceFiles;
  /** The variables the env file holds before the fix. */
  fileEnv: Record<string, string>;
  /** The file the test fix creates. */
  caFile: string;
  /** Every command line the executor was asked to run. */
  calls: string[];
  /** Answers to give instead of success, consumed in order, by command-line prefix. */
  failures: Array<{ prefix: string; code: number; stderr: string }>;
  audit: AuditRecord[];
  events: FixStep[];
  keptRuns: number;
  secrets: string[];
  /** The bundle's state on disk when each automatic rollback began. */
  stateAtRollback: string[];
  /** Runs after each audit record: how a row makes the world change mid-transaction. */
  onAudit: ((record: AuditRecord) => Promise<void>) | null;
  context: FixContext;
  /** Forgets the calls and records so far: the row asserts only what its last act did. */
  mark(): void;
}

const answer = (command: string, args: string[], partial: Partial<ExecResult> = {}): ExecResult => ({
  command, args, available: true, code: 0, signal: null, stdout: '', stderr: '', timedOut: false, truncated: false, durationMs: 1, ...partial,
});

interface WorldOptions {
  /** The gateway does not answer at all. */
  gatewayDead?: boolean;
  /** The env file sends the daemon through a proxy that does not answer. */
  deadProxy?: boolean;
  extraArgs?: string[];
  /** The tools on the operator's PATH. */
  path?: string[];
}

async function makeWorld(options: WorldOptions = {}): Promise<World & { cleanup: () => Promise<void> }> {
  const { home, cleanup: removeHome } = await makeHome('clawbar-transaction-');
  const gw = await startGateway();
  const cleanup = async () => { await new Promise((resolve) => gw.server.close(resolve)); await removeHome(); };
  const port = options.gatewayDead ? deadPort : gw.port;
  const fileEnv: Record<string, string> = { HOME: home, OPENCLAW_GATEWAY_PORT: String(port), OPENCLAW_LAUNCHD_LABEL: 'ai.openclaw.gateway' };
  if (options.deadProxy) fileEnv.HTTP_PROXY = `http://127.0.0.1:${deadPort}`;
  const svc = await writeService(home, { port, env: fileEnv, ...(options.extraArgs ? { extraArgs: options.extraArgs } : {}) });
  // Only whether a tool is on PATH matters to the checks; the executor below answers for it.
  const bin = join(home, 'bin');
  await mkdir(bin);
  for (const tool of options.path ?? ['launchctl', 'security']) await writeFile(join(bin, tool), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const caDir = join(home, 'ca');
  await mkdir(caDir);

  const world = {} as World;
  const exec: Executor = async (command, args) => {
    const line = [command, ...args].join(' ');
    world.calls.push(line);
    if (command === 'launchctl' && args[0] === 'print') {
      // A loaded, running job, so the restart is enable + kickstart -k.
      return answer(command, args, { stdout: `${args[1]} = {\n\tactive count = 1\n\tpath = ${svc.plistPath}\n\tstate = running\n}\n` });
    }
    if (command !== 'launchctl' && command !== 'security') return answer(command, args, { available: false, code: null, stderr: `spawn ${command} ENOENT` });
    const failure = world.failures.findIndex((f) => line.startsWith(f.prefix));
    if (failure >= 0) {
      const [given] = world.failures.splice(failure, 1);
      return answer(command, args, { code: given!.code, stderr: given!.stderr });
    }
    return answer(command, args);
  };
  const shellEnv = { HOME: home, PATH: bin };
  const load = (plistPath = svc.plistPath) => loadServiceEnvironment({ plistPath, home, systemRoot: home, exec, shellEnv, platform: 'darwin' });
  Object.assign(world, {
    home, port, gateway: gw.answers, svc, fileEnv, caFile: join(caDir, 'ai.openclaw.gateway.ca-bundle.pem'),
    calls: [], failures: [], audit: [], events: [], keptRuns: 0, secrets: [], stateAtRollback: [], onAudit: null,
    mark: () => { world.secrets.length = 0; world.calls.length = 0; world.audit.length = 0; world.events.length = 0; world.stateAtRollback.length = 0; },
  });
  world.context = {
    service: await load(),
    exec,
    env: shellEnv,
    platform: 'darwin',
    files: { bundles: join(home, 'state', 'fixes'), caDir },
    addSecrets: (...values) => { world.secrets.push(...values); },
    bundleTrust: async () => TRUST,
    audit: async (record) => {
      world.audit.push(record);
      if (record.step.step === 'rollback' && record.step.status === 'running') {
        world.stateAtRollback.push((await readManifest(world.context.files.bundles, record.fixId)).manifest.state);
      }
      await world.onAudit?.(record);
    },
    keepProbeRun: async () => { world.keptRuns += 1; },
    reloadService: (plistPath) => load(plistPath),
    faultAt: null,
    targets: [],
    dnsServers: [],
    // Generous: a live loopback server answers at once, a dead port refuses at once; only a starved machine waits.
    timeoutMs: 10_000,
    restartTimeoutMs: 5_000,
  };
  world.mark();
  return Object.assign(world, { cleanup });
}

/** A file the fix replaces or creates, with what is there now (as a fix's draft records it, a symbolic link named as one). */
async function fileWrite(path: string, role: FileWrite['role'], content: Buffer, mode: number): Promise<FileWrite> {
  const now = await stat(path).catch(() => null);
  const link = (await lstat(path).catch(() => null))?.isSymbolicLink() ? await readlink(path) : null;
  return {
    path, role, content, mode, before: now ? await readFile(path) : null, beforeMode: now ? now.mode & 0o7777 : null,
    uid: now?.uid ?? null, gid: now?.gid ?? null, symlink: link,
  };
}

/**
 * The test fix: the env file gains NODE_EXTRA_CA_CERTS, a CA bundle is
 * created, one keychain command runs with its undo (its argument names the
 * bundle folder, as the system-scope CA fix does), and the job is kickstarted.
 * `admin` is false so the command runs as written whoever runs the tests.
 */
async function testDraft(w: World, change: { env?: Record<string, string>; caFile?: string } = {}): Promise<FixDraft> {
  const caFile = change.caFile ?? w.caFile;
  const env = change.env ?? { ...w.fileEnv, NODE_EXTRA_CA_CERTS: caFile };
  return {
    kind: 'ca', title: 'Trust the loopback test CA', explanation: ['test'], notes: [],
    writes: [
      await fileWrite(w.svc.envFilePath, 'env-file', Buffer.from(formatEnvFile(env)), 0o600),
      await fileWrite(caFile, 'ca-bundle', CA_PEM, 0o644),
    ],
    commands: [{
      command: 'security', args: ['add-trusted-cert', '-d', '-r', 'trustRoot', '-k', KEYCHAIN, '{bundle}/ca-0.pem'], admin: false,
      why: 'trust the test CA', undo: { kind: 'remove-trusted-cert', attachment: 'ca-0.pem' },
    }],
    attachments: [{ name: 'ca-0.pem', content: CA_PEM }],
    restart: 'kickstart',
    candidate: null, preflightFiles: [], noPreflightBecause: 'the test fix changes nothing the probes see',
    secrets: ['proxy-pass-0451'], extraCheck: null, expect: [],
  };
}

/** A fix that proposes the service without HTTP_PROXY, so the pre-flight probes the loopback target direct. */
async function withoutProxyDraft(w: World, writtenEnv: Record<string, string>): Promise<FixDraft> {
  const draft = await testDraft(w, { env: writtenEnv });
  return { ...draft, candidate: { env: withoutProxy(w.context.service.env), managedProxy: null }, noPreflightBecause: null };
}
const withoutProxy = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'HTTP_PROXY'));

const target = (w: World) => w.context.service.facts.service!.domainTarget!;
/** Where the CA fix puts this service's bundle (beside the env file): the one CA file a rollback of it may touch. */
const serviceCaDraft = (w: World) => testDraft(w, { caFile: join(w.svc.stateDir, 'service-env', 'ai.openclaw.gateway.ca-bundle.pem') });
const loopbackTarget = (w: World) => ({ url: `http://127.0.0.1:${w.port}/target`, kind: 'custom' as const, name: 'loopback target', sni: null, pin: null });
const apply = (w: World, draft: FixDraft, extra: Partial<TransactionOptions> = {}) =>
  runTransaction(w.context, draft, { mode: 'apply', force: false, onStep: (s) => w.events.push(s), request: REQUEST, ...extra });

// The commands that change something (launchctl print, getconf and the like only read).
const changing = (calls: string[]) => calls.filter((line) => /^(security |launchctl (?!print ))/.test(line));
const addCa = (dir: string) => `security add-trusted-cert -d -r trustRoot -k ${KEYCHAIN} ${dir}/ca-0.pem`;
const removeCa = (dir: string) => `security remove-trusted-cert -d ${dir}/ca-0.pem`;
const restartLines = (t: string) => [`launchctl enable ${t}`, `launchctl kickstart -k ${t}`];

type Snapshot = Record<string, { bytes: string; mode: number } | null>;
async function snapshot(paths: string[]): Promise<Snapshot> {
  const out: Snapshot = {};
  for (const path of paths) {
    try { out[path] = { bytes: (await readFile(path)).toString('base64'), mode: (await stat(path)).mode & 0o7777 }; } catch { out[path] = null; }
  }
  return out;
}
const withWrites = (before: Snapshot, draft: FixDraft): Snapshot =>
  ({ ...before, ...Object.fromEntries(draft.writes.map((w) => [w.path, { bytes: w.content.toString('base64'), mode: w.mode }])) });

interface Row {
  name: string;
  skip?: string | false;
  world?: WorldOptions;
  /** Shapes the world before the draft is made (a pending bundle, a failing command, a switched gateway). */
  arrange?: (w: World) => Promise<void> | void;
  draft?: (w: World) => Promise<FixDraft>;
  /** Defaults to applying the draft; rows that roll back apply first, then mark. */
  act?: (w: World, draft: FixDraft) => Promise<FixOutcome>;
  ok: boolean;
  summary: RegExp;
  steps: string[];
  /** The bundle's final state; null when no bundle is left (never made, or discarded). */
  bundle: BundleManifest['state'] | null;
  stateAtRollback?: string[];
  ran: (dir: string, t: string) => string[];
  files: 'unchanged' | 'written';
  check?: (outcome: FixOutcome, w: World, draft: FixDraft) => Promise<void> | void;
}

const rows: Row[] = [
  {
    name: 'dry run: preview only, nothing written, nothing run',
    act: (w, draft) => runTransaction(w.context, draft, { mode: 'dry-run', force: false, onStep: (s) => w.events.push(s), request: REQUEST }),
    ok: true, summary: /^Dry run: no probe pre-flight\. Apply with --apply --plan [0-9a-f]{12}\.$/,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped'], bundle: null, ran: () => [], files: 'unchanged',
    check: (outcome, w) => {
      assert.equal(outcome.plan!.files.length, 2);
      // The preview names the bundle folder, which does not exist yet, by its placeholder.
      assert.deepEqual(outcome.plan!.commands, [`security add-trusted-cert -d -r trustRoot -k ${KEYCHAIN} '{bundle}/ca-0.pem'`, ...restartLines(target(w))]);
      assert.deepEqual(outcome.findings, []);
    },
  },
  {
    name: 'dry run on a machine that could not apply: the blockers are warnings, still nothing written',
    world: { path: ['security'] },
    act: (w, draft) => runTransaction(w.context, draft, { mode: 'dry-run', force: false, onStep: (s) => w.events.push(s), request: REQUEST }),
    ok: true, summary: /^Dry run: /, steps: ['plan:ok', 'preview:ok', 'preflight:skipped'], bundle: null, ran: () => [], files: 'unchanged',
    check: (outcome) => assert.deepEqual(outcome.findings.map((f) => [f.id, f.severity, f.title]),
      [['fix.blocked', 'warn', 'launchctl is not available here, so the service cannot be restarted']]),
  },
  {
    name: 'apply with the reviewed plan id: written, keychain command, kickstart, verified bundle',
    act: async (w, draft) => {
      const dry = await runTransaction(w.context, draft, { mode: 'dry-run', force: false, request: REQUEST });
      w.mark();
      return apply(w, draft, { expectPlanId: dry.plan!.planId });
    },
    ok: true, summary: /^Applied and verified\. Undo with: clawbar fix rollback \d{8}-\d{6}-ca-[0-9a-f]{4}$/,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped', 'backup:ok', 'write:ok', 'restart:ok', 'verify:ok', 'report:ok'],
    bundle: 'verified', ran: (dir, t) => [addCa(dir), ...restartLines(t)], files: 'written',
    check: async (outcome, w, draft) => {
      assert.match(outcome.verify!.detail, /^gateway ready again after \d+\.\d s$/);
      assert.equal(outcome.verify!.ok, true);
      assert.deepEqual(w.secrets, ['proxy-pass-0451']);
      const { dir, manifest } = await readManifest(w.context.files.bundles, outcome.bundleId!);
      assert.deepEqual(await readFile(join(dir, 'file-0.orig')), draft.writes[0]!.before);
      assert.deepEqual(await readFile(join(dir, 'ca-0.pem')), CA_PEM);
      assert.deepEqual(manifest.files.map((f) => [f.path, f.existed, f.backup, f.mode]), [[w.svc.envFilePath, true, 'file-0.orig', 0o600], [w.caFile, false, null, null]]);
      assert.deepEqual(manifest.undo.map((u) => [u.kind, u.attachment, u.command, u.ran]), [['remove-trusted-cert', 'ca-0.pem', 0, true]]);
      assert.deepEqual(manifest.request, REQUEST);
    },
  },
  {
    name: 'apply refused when the plan id is not the reviewed one',
    act: (w, draft) => apply(w, draft, { expectPlanId: '0123456789ab' }),
    ok: false, summary: /^Refused: the plan changed since it was reviewed \(0123456789ab → [0-9a-f]{12}\); .*Preview again\.$/,
    steps: ['plan:ok', 'preview:ok', 'preview:failed'], bundle: null, ran: () => [], files: 'unchanged',
  },
  {
    name: 'refused at the preview: a file to write is a symbolic link (a write would replace the link)',
    arrange: async (w) => {
      await writeFile(join(w.home, 'elsewhere.pem'), 'kept\n');
      await symlink(join(w.home, 'elsewhere.pem'), w.caFile);
    },
    ok: false, summary: /^Refused: \S+\.ca-bundle\.pem is a symbolic link \(to \S+\/elsewhere\.pem\)\. clawbar does not write through a link .*Nothing was changed\.$/,
    steps: ['plan:ok', 'preview:ok', 'preview:failed'], bundle: null, ran: () => [], files: 'unchanged',
    check: async (_outcome, w) => {
      assert.equal(await readlink(w.caFile), join(w.home, 'elsewhere.pem'));
      assert.equal(await readFile(join(w.home, 'elsewhere.pem'), 'utf8'), 'kept\n');
    },
  },
  {
    name: 'blocked: a folder the fix writes in does not exist',
    draft: (w) => testDraft(w, { caFile: join(w.home, 'no-such-folder', 'ca.pem') }),
    ok: false, summary: /^Refused: cannot write in \S+\/no-such-folder \(read-only, or owned by another account: run as its owner\)\. Nothing was changed\.$/,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped'], bundle: null, ran: () => [], files: 'unchanged',
    check: (outcome) => assert.deepEqual(outcome.findings.map((f) => [f.id, f.severity]), [['fix.blocked', 'critical']]),
  },
  {
    name: 'blocked: a read-only folder',
    skip: isRoot && 'root may write in any folder',
    arrange: (w) => chmod(w.context.files.caDir, 0o500),
    ok: false, summary: /^Refused: cannot write in \S+\/ca \(read-only/,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped'], bundle: null, ran: () => [], files: 'unchanged',
  },
  {
    name: 'blocked: neither launchctl nor security on PATH',
    world: { path: [] },
    ok: false, summary: /^Refused: security is not available here; launchctl is not available here, so the service cannot be restarted\. Nothing was changed\.$/,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped'], bundle: null, ran: () => [], files: 'unchanged',
  },
  {
    name: 'blocked: an interrupted fix is pending',
    arrange: pendingBundle,
    ok: false, summary: /^Refused: fix \d{8}-\d{6}-proxy-[0-9a-f]{4} was interrupted \(state prepared\); run `clawbar fix rollback \d{8}-\d{6}-proxy-[0-9a-f]{4}` first\. Nothing was changed\.$/,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped'], bundle: null, ran: () => [], files: 'unchanged',
  },
  {
    name: '--force passes the pending check and leaves the pending bundle alone',
    arrange: pendingBundle,
    act: (w, draft) => apply(w, draft, { force: true }),
    ok: true, summary: /^Applied and verified\./,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped', 'backup:ok', 'write:ok', 'restart:ok', 'verify:ok', 'report:ok'],
    bundle: 'verified', ran: (dir, t) => [addCa(dir), ...restartLines(t)], files: 'written',
    check: async (_outcome, w) => assert.equal((await readManifest(w.context.files.bundles, pendingIds.get(w)!)).manifest.state, 'prepared'),
  },
  {
    name: 'a bundle folder clawbar did not record (signed with another key) neither blocks the fix nor is touched',
    arrange: async (w) => {
      const { dir } = await createBundle(w.context.files.bundles, { ...PENDING(w), id: newBundleId('proxy', new Date(Date.now() - 60_000)) }, { ...TRUST, key: Buffer.alloc(32, 9) });
      planted.set(w, { dir, manifest: await readFile(join(dir, 'manifest.json')) });
    },
    ok: true, summary: /^Applied and verified\./,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped', 'backup:ok', 'write:ok', 'restart:ok', 'verify:ok', 'report:ok'],
    bundle: 'verified', ran: (dir, t) => [addCa(dir), ...restartLines(t)], files: 'written',
    check: async (_outcome, w) => {
      const { dir, manifest } = planted.get(w)!;
      assert.deepEqual(await readFile(join(dir, 'manifest.json')), manifest);
    },
  },
  {
    name: 'pre-flight: the change would break a passing target → refused',
    arrange: (w) => { w.context.targets = [loopbackTarget(w)]; },
    draft: async (w) => ({ ...await testDraft(w), candidate: { env: w.context.service.env, managedProxy: { url: `http://127.0.0.1:${deadPort}`, loopbackMode: 'proxy' } }, noPreflightBecause: null }),
    ok: false, summary: /^Refused: the change makes things worse \(worse: http:\/\/127\.0\.0\.1:\d+\/target would fail \(\w+\)\)\. Nothing was changed; --force overrides\.$/,
    steps: ['plan:ok', 'preview:ok', 'preflight:failed'], bundle: null, ran: () => [], files: 'unchanged',
    check: (outcome) => {
      assert.deepEqual([outcome.preflight!.before.ok, outcome.preflight!.after.failed, outcome.preflight!.worse], [1, 1, true]);
    },
  },
  {
    name: 'pre-flight worse but --force: applied, and nothing failed before so nothing is re-probed',
    arrange: (w) => { w.context.targets = [loopbackTarget(w)]; },
    draft: async (w) => ({ ...await testDraft(w), candidate: { env: w.context.service.env, managedProxy: { url: `http://127.0.0.1:${deadPort}`, loopbackMode: 'proxy' } }, noPreflightBecause: null }),
    act: (w, draft) => apply(w, draft, { force: true }),
    ok: true, summary: /^Applied and verified\./,
    steps: ['plan:ok', 'preview:ok', 'preflight:failed', 'backup:ok', 'write:ok', 'restart:ok', 'verify:ok', 'report:ok'],
    bundle: 'verified', ran: (dir, t) => [addCa(dir), ...restartLines(t)], files: 'written',
    check: (outcome, w) => { assert.equal(outcome.verify!.probes, null); assert.equal(w.keptRuns, 0); },
  },
  {
    name: 'pre-flight better: the failing target passes after the restart, under the env read back from disk',
    world: { deadProxy: true },
    arrange: (w) => { w.context.targets = [loopbackTarget(w)]; },
    draft: (w) => withoutProxyDraft(w, withoutProxy(w.fileEnv)),
    ok: true, summary: /^Applied and verified\./,
    steps: ['plan:ok', 'preview:ok', 'preflight:ok', 'backup:ok', 'write:ok', 'restart:ok', 'verify:ok', 'report:ok'],
    bundle: 'verified', ran: (dir, t) => [addCa(dir), ...restartLines(t)], files: 'written',
    check: async (outcome, w) => {
      assert.match(outcome.preflight!.verdict, /^better: 1 of 1 failing target\(s\) pass with the change$/);
      assert.deepEqual(outcome.verify!.probes, { ok: 1, failed: 0, targets: [{ target: loopbackTarget(w).url, ok: true, layer: null }] });
      assert.equal(w.keptRuns, 1);
      assert.deepEqual((await readManifest(w.context.files.bundles, outcome.bundleId!)).manifest.fixed.targets, [loopbackTarget(w).url]);
    },
  },
  {
    name: "another tool's pre-flight verdict is shown as a step and a finding; it informs, the apply goes on",
    draft: async (w) => ({
      ...await testDraft(w),
      preflightCheck: async () => ({ detail: 'openclaw proxy validate: exit 1', finding: { id: 'fix.preflight.openclaw', severity: 'warn', title: 'OpenClaw rejects the proxy settings', fix: null } }),
    }),
    ok: true, summary: /^Applied and verified\./,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped', 'preflight:failed', 'backup:ok', 'write:ok', 'restart:ok', 'verify:ok', 'report:ok'],
    bundle: 'verified', ran: (dir, t) => [addCa(dir), ...restartLines(t)], files: 'written',
    check: (outcome) => assert.deepEqual(outcome.findings.map((f) => [f.id, f.severity]), [['fix.preflight.openclaw', 'warn']]),
  },
  {
    name: 'a file changed after the preview: refused, the bundle discarded',
    draft: async (w) => {
      const draft = await testDraft(w);
      await writeFile(w.svc.envFilePath, `${formatEnvFile(w.fileEnv)}export EDITED_BY='someone else'\n`);
      return draft;
    },
    ok: false, summary: /^Refused: \S+\.env was changed by someone else since the preview\. Nothing was changed; preview again\.$/,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped', 'backup:ok', 'write:failed'], bundle: null, ran: () => [], files: 'unchanged',
    check: async (_outcome, w) => {
      const backup = w.audit.find((r) => r.step.step === 'backup')!;
      assert.match(backup.fixId, /^\d{8}-\d{6}-ca-[0-9a-f]{4}$/);
      assert.equal(await stat(join(w.context.files.bundles, backup.fixId)).catch(() => null), null);
    },
  },
  {
    name: 'a write fails (its folder vanished after the checks): the files written so far are restored, nothing else runs',
    arrange: (w) => {
      w.onAudit = async (record) => { if (record.step.step === 'backup') await rm(w.context.files.caDir, { recursive: true }); };
    },
    ok: false, summary: /^Write failed \(ENOENT: .*\); the previous files were restored\.$/,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped', 'backup:ok', 'rollback:ok', 'write:failed'],
    bundle: 'rolled-back', stateAtRollback: ['prepared'], ran: () => [], files: 'unchanged',
    check: async (outcome, w) => assert.deepEqual((await readManifest(w.context.files.bundles, outcome.bundleId!)).manifest.undo.map((u) => u.ran), [false]),
  },
  {
    name: 'a command fails: files restored, the failed command is not undone, no restart',
    arrange: (w) => { w.failures.push({ prefix: 'security add-trusted-cert', code: 1, stderr: CANCELED }); },
    ok: false, summary: /^security failed: SecTrustSettingsSetTrustSettings: The authorization was canceled by the user\.\.? The previous files were restored\.$/,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped', 'backup:ok', 'write:ok', 'write:failed', 'rollback:ok'],
    bundle: 'rolled-back', stateAtRollback: ['applied'], ran: (dir) => [addCa(dir)], files: 'unchanged',
    check: async (outcome, w) => assert.deepEqual((await readManifest(w.context.files.bundles, outcome.bundleId!)).manifest.undo.map((u) => u.ran), [false]),
  },
  {
    name: 'the restart fails: rolled back, the command undone, restarted again on the old files',
    arrange: (w) => { w.failures.push({ prefix: 'launchctl kickstart', code: 113, stderr: 'Could not find service "ai.openclaw.gateway" in domain for user gui: 501\n' }); },
    ok: false, summary: /^Restart failed \(launchctl kickstart -k gui\/\d+\/ai\.openclaw\.gateway failed: launchctl exited with 113: Could not find service .*\); rolled back\.$/,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped', 'backup:ok', 'write:ok', 'restart:failed', 'rollback:ok'],
    bundle: 'rolled-back', stateAtRollback: ['applied'], ran: (dir, t) => [addCa(dir), ...restartLines(t), removeCa(dir), ...restartLines(t)], files: 'unchanged',
    check: async (outcome, w) => assert.deepEqual((await readManifest(w.context.files.bundles, outcome.bundleId!)).manifest.undo.map((u) => u.ran), [true]),
  },
  {
    name: "verification fails (the fix's own check): bundle marked failed, then rolled back",
    draft: async (w) => ({ ...await testDraft(w), extraCheck: async () => ({ ok: false, detail: 'port still listens on 0.0.0.0' }) }),
    ok: false, summary: /^Verification failed \(gateway ready again after \d+\.\d s; port still listens on 0\.0\.0\.0\); rolled back to the previous files\.$/,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped', 'backup:ok', 'write:ok', 'restart:ok', 'verify:failed', 'rollback:ok'],
    bundle: 'rolled-back', stateAtRollback: ['failed'], ran: (dir, t) => [addCa(dir), ...restartLines(t), removeCa(dir), ...restartLines(t)], files: 'unchanged',
    check: (outcome) => assert.equal(outcome.verify!.ok, false),
  },
  {
    name: 'verification fails: the gateway answered before and is not ready after the restart',
    arrange: (w) => { w.gateway.ready = 503; w.context.restartTimeoutMs = 100; },
    ok: false, summary: /^Verification failed \(gateway not ready within 0\.1 s of the restart \(see its log\)\); rolled back/,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped', 'backup:ok', 'write:ok', 'restart:ok', 'verify:failed', 'rollback:ok'],
    bundle: 'rolled-back', stateAtRollback: ['failed'], ran: (dir, t) => [addCa(dir), ...restartLines(t), removeCa(dir), ...restartLines(t)], files: 'unchanged',
  },
  {
    name: 'a gateway that was not answering before may stay silent: applied and verified',
    world: { gatewayDead: true },
    arrange: (w) => { w.context.restartTimeoutMs = 100; },
    ok: true, summary: /^Applied and verified\./,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped', 'backup:ok', 'write:ok', 'restart:ok', 'verify:ok', 'report:ok'],
    bundle: 'verified', ran: (dir, t) => [addCa(dir), ...restartLines(t)], files: 'written',
    check: (outcome) => assert.equal(outcome.verify!.detail, 'gateway still not answering (it was not answering before the fix either)'),
  },
  {
    name: 'a fix without a restart runs no launchctl and waits for nothing',
    draft: async (w) => ({ ...await testDraft(w), restart: 'none' }),
    ok: true, summary: /^Applied and verified\./,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped', 'backup:ok', 'write:ok', 'restart:ok', 'verify:ok', 'report:ok'],
    bundle: 'verified', ran: (dir) => [addCa(dir)], files: 'written',
    check: (outcome) => { assert.equal(outcome.verify!.detail, 'nothing to verify'); assert.equal(outcome.plan!.commands.length, 1); },
  },
  {
    name: 'rollbackFix of a verified bundle: byte for byte, command undone, restarted, gateway ready',
    draft: serviceCaDraft,
    act: async (w, draft) => {
      const applied = await apply(w, draft);
      assert.equal((await readManifest(w.context.files.bundles, applied.bundleId!)).manifest.state, 'verified');
      w.mark();
      return rollbackFix(applied.bundleId!, w.context, { onStep: (s) => w.events.push(s) });
    },
    ok: true, summary: /^Rolled back \d{8}-\d{6}-ca-[0-9a-f]{4}: 2 file\(s\) restored and the service restarted\.$/,
    steps: ['rollback:ok', 'restart:ok', 'verify:ok'], bundle: 'rolled-back',
    ran: (dir, t) => [removeCa(dir), ...restartLines(t)], files: 'unchanged',
  },
  {
    name: 'rollbackFix of a bundle already rolled back: refused without --force',
    draft: serviceCaDraft,
    act: async (w, draft) => {
      const applied = await apply(w, draft);
      assert.equal((await rollbackFix(applied.bundleId!, w.context)).ok, true);
      w.mark();
      return rollbackFix(applied.bundleId!, w.context, { onStep: (s) => w.events.push(s) });
    },
    ok: false, summary: /^Fix \d{8}-\d{6}-ca-[0-9a-f]{4} was already rolled back\.$/,
    steps: [], bundle: 'rolled-back', ran: () => [], files: 'unchanged',
  },
  {
    name: 'rollbackFix of a bundle already rolled back, with --force: done again, files stay the originals',
    draft: serviceCaDraft,
    act: async (w, draft) => {
      const applied = await apply(w, draft);
      assert.equal((await rollbackFix(applied.bundleId!, w.context)).ok, true);
      w.mark();
      return rollbackFix(applied.bundleId!, w.context, { force: true, onStep: (s) => w.events.push(s) });
    },
    ok: true, summary: /^Rolled back .*: 2 file\(s\) restored and the service restarted\.$/,
    steps: ['rollback:ok', 'restart:ok', 'verify:ok'], bundle: 'rolled-back',
    ran: (dir, t) => [removeCa(dir), ...restartLines(t)], files: 'unchanged',
  },
  {
    name: 'runFix: a fix with nothing to change says so and never starts the transaction',
    act: (w) => runFix({ kind: 'bind' }, w.context, { mode: 'apply', onStep: (s) => w.events.push(s) }),
    ok: true, summary: /^Nothing to change: bind the gateway to loopback \(was loopback\) on port \d+ is already the case\.$/,
    steps: ['plan:ok'], bundle: null, ran: () => [], files: 'unchanged',
  },
  {
    name: 'runFix: a draft refused (no service) comes back as an outcome, not an error',
    arrange: async (w) => {
      // A Mac with no gateway service: nothing in this empty home or system root.
      const empty = join(w.home, 'empty');
      await mkdir(empty);
      w.context.service = await loadServiceEnvironment({ home: empty, systemRoot: empty, exec: w.context.exec, shellEnv: w.context.env, platform: 'darwin' });
      assert.equal(w.context.service.facts.service, null);
    },
    act: (w) => runFix({ kind: 'bind' }, w.context, { mode: 'apply', onStep: (s) => w.events.push(s) }),
    ok: false, summary: /^Refused: no gateway service found \(give --plist PATH\)\. Nothing was changed\.$/,
    steps: ['plan:failed'], bundle: null, ran: () => [], files: 'unchanged',
  },
  {
    name: 'runFix: bind dry run of a service started with --bind lan previews the plist and bootout + bootstrap',
    world: { extraArgs: ['--bind', 'lan'] },
    act: (w) => runFix({ kind: 'bind' }, w.context, { mode: 'dry-run', onStep: (s) => w.events.push(s) }),
    ok: true, summary: /^Dry run: no probe pre-flight\. Apply with --apply --plan [0-9a-f]{12}\.$/,
    steps: ['plan:ok', 'preview:ok', 'preflight:skipped'], bundle: null, ran: () => [], files: 'unchanged',
    check: (outcome, w) => {
      // --bind goes from the command line (the installer never writes it; update refuses to refresh while it is there), gateway.bind into the config.
      assert.deepEqual(outcome.plan!.files.map((f) => [f.path, f.role]), [[w.svc.plistPath, 'plist'], [join(w.svc.stateDir, 'openclaw.json'), 'config']]);
      assert.match(outcome.plan!.files[0]!.diff, /-\s*<string>--bind<\/string>\n-\s*<string>lan<\/string>\n/);
      assert.doesNotMatch(outcome.plan!.files[0]!.diff, /\+\s*<string>/);
      assert.match(outcome.plan!.files[1]!.diff, /^\+.*\bbind"?: "loopback"/m);
      assert.deepEqual(outcome.plan!.commands, [`launchctl enable ${target(w)}`, `launchctl bootout ${target(w)}`, `launchctl bootstrap ${target(w).replace(/\/[^/]+$/, '')} ${w.svc.plistPath}`]);
    },
  },
];

const pendingIds = new WeakMap<World, string>();
const planted = new WeakMap<World, { dir: string; manifest: Buffer }>();
const PENDING = (w: World) => ({
  id: newBundleId('proxy', new Date(Date.now() - 60_000)), kind: 'proxy' as const, summary: 'interrupted', plistPath: w.svc.plistPath,
  serviceTarget: target(w), restart: 'kickstart' as const, writes: [], commands: [], attachments: [], request: { kind: 'proxy' as const, url: 'http://127.0.0.1:9' }, expect: [],
});
/** A fix that crashed after its backup: a bundle left in state `prepared`. */
async function pendingBundle(w: World): Promise<void> {
  const { manifest } = await createBundle(w.context.files.bundles, PENDING(w), TRUST);
  pendingIds.set(w, manifest.id);
}

describe('fix transaction, path by path', { concurrency: 4 }, () => {
  for (const row of rows) {
    it(row.name, { skip: row.skip ?? false }, async () => {
      const w = await makeWorld(row.world);
      try {
        await row.arrange?.(w);
        const draft = await (row.draft ?? testDraft)(w);
        // Every file the draft writes, and every service file a fix of this service may touch.
        const paths = [...new Set([...draft.writes.map((write) => write.path), w.svc.envFilePath, w.caFile, w.svc.plistPath, join(w.svc.stateDir, 'openclaw.json')])];
        const before = await snapshot(paths);
        const preexisting = await readdir(w.context.files.bundles).catch(() => [] as string[]);
        w.mark();

        const outcome = FixOutcome.parse(await (row.act ?? ((x, d) => apply(x, d)))(w, draft));

        assert.equal(outcome.ok, row.ok, outcome.summary);
        assert.match(outcome.summary, row.summary);
        assert.deepEqual(outcome.steps.map((s) => `${s.step}:${s.status}`), row.steps);
        // Steps, progress events and the audit log never disagree.
        assert.deepEqual(w.audit.map((r) => r.step), w.events);
        assert.deepEqual(w.audit.map((r) => r.step).filter((s) => s.status !== 'running'), outcome.steps);
        assert.ok(w.audit.every((r) => r.kind === outcome.kind));
        if (outcome.bundleId) {
          const from = w.audit.findIndex((r) => r.step.step === 'backup' || r.fixId === outcome.bundleId);
          assert.ok(w.audit.slice(0, from).every((r) => /^plan-[0-9a-z]+$/.test(r.fixId)), 'records before the backup name the plan');
          assert.ok(w.audit.slice(from).every((r) => r.fixId === outcome.bundleId), 'every record from the backup on names the bundle');
        }

        const bundles = (await readdir(w.context.files.bundles).catch(() => [] as string[])).filter((n) => !preexisting.includes(n));
        const id = outcome.bundleId;
        if (row.bundle === null) assert.deepEqual([id, bundles], [null, []], 'no bundle is left');
        else {
          assert.deepEqual(bundles, [id], 'the outcome names the one bundle made');
          assert.equal((await readManifest(w.context.files.bundles, id!)).manifest.state, row.bundle);
        }
        assert.deepEqual(w.stateAtRollback, row.stateAtRollback ?? []);

        const dir = id ? join(w.context.files.bundles, id) : '';
        assert.deepEqual(changing(w.calls), row.ran(dir, w.context.service.facts.service?.domainTarget ?? ''));

        assert.deepEqual(await snapshot(paths), row.files === 'written' ? withWrites(before, draft) : before);
        for (const folder of [join(w.home, '.openclaw', 'service-env'), w.context.files.caDir]) {
          assert.deepEqual((await readdir(folder).catch(() => [] as string[])).filter((n) => n.endsWith('.tmp')), [], `no temp files left in ${folder}`);
        }
        await row.check?.(outcome, w, draft);
      } finally {
        await chmod(w.context.files.caDir, 0o700).catch(() => undefined);
        await w.cleanup();
      }
    });
  }
});
