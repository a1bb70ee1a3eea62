import type { FileChange, Finding, FixKind, FixStep, ProbeReport, ProbeTarget } from '../contract.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import type { Executor } from '../system/exec.ts';
import type { ManagedProxy } from '../probes/route.ts';
import type { BundleTrust, Expectation } from './manifest.ts';

/** A file the fix will replace (or create), with what is there now. */
export interface FileWrite {
  path: string;
  role: FileChange['role'];
  content: Buffer;
  mode: number;
  /** Current bytes, or null when the file does not exist yet. */
  before: Buffer | null;
  beforeMode: number | null;
  /** Owner to keep (the current one), when the file exists. */
  uid: number | null;
  gid: number | null;
  /** What the preview diffs instead of the raw bytes, when those say little (a CA bundle: one line per certificate). */
  display?: { before: string; after: string };
  /** Where the path points when it is a symbolic link: the fix refuses (a write would replace the link with a file). */
  symlink?: string | null;
}

/** A command the fix runs (after the writes, before the restart), with how to undo it. */
export interface FixCommand {
  command: string;
  args: string[];
  /** Needs administrator rights (System keychain, clock). */
  admin: boolean;
  why: string;
  /** How to undo it, as a typed step (rollback rebuilds the command; never argv from a file). */
  undo: { kind: 'remove-trusted-cert'; attachment: string } | null;
}

export type RestartKind = 'kickstart' | 'reload' | 'none';

/** Extra verification after the restart, specific to one fix (listeners for bind, offset for clock). */
export type ExtraCheck = (context: FixContext) => Promise<{ ok: boolean; detail: string }>;

/** What a fix wants to do, before anything is touched. The transaction does the rest. */
export interface FixDraft {
  kind: FixKind;
  title: string;
  explanation: string[];
  notes: string[];
  writes: FileWrite[];
  commands: FixCommand[];
  /** Files to keep in the rollback bundle for commands and their undo (e.g. the CA added to the keychain). */
  attachments: Array<{ name: string; content: Buffer }>;
  restart: RestartKind;
  /** The daemon's environment after the fix, for the pre-flight probe run; null when the fix does not change it. */
  candidate: { env: Record<string, string>; managedProxy: ManagedProxy | null } | null;
  /** Files that exist only for the pre-flight (staged in a temp folder, never written where the service reads). */
  preflightFiles: Array<{ path: string; content: Buffer }>;
  /** Why there is no probe pre-flight, when `candidate` is null. */
  noPreflightBecause: string | null;
  /** Values to redact that are new with this fix (a proxy password). */
  secrets: string[];
  extraCheck: ExtraCheck | null;
  /** What holds once the fix is in force: checked on every status run to notice a fix undone. */
  expect: Expectation[];
  /** OpenClaw's own verdict on the change, run in the pre-flight (proxy: `openclaw proxy validate`). */
  preflightCheck?: (context: FixContext) => Promise<PreflightVerdict | null>;
}

/** A check by another tool in the pre-flight: shown with the probe verdict; it informs, the probes decide. */
export interface PreflightVerdict {
  detail: string;
  finding: Finding;
}

/** What a fix is handed by the session: it writes service files itself, and keeps everything else only through these. */
export interface FixContext {
  service: ServiceEnvironment;
  exec: Executor;
  /** The operator's environment: PATH decides which tools exist. */
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  /** Rollback bundles, and clawbar's own folder for CA bundles of services without an env file. */
  files: { bundles: string; caDir: string };
  /** Registers values new with a fix (a proxy password) with the redactor that guards every exit. */
  addSecrets: (...values: string[]) => void;
  /** This account's id and clawbar's per-user key: what a rollback bundle must carry to be believed. */
  bundleTrust: () => Promise<BundleTrust>;
  /** The audit log: one record per step. */
  audit: (record: { fixId: string; kind: string; step: FixStep }) => Promise<void>;
  /** Keeps the verification's probe run like any other (probe log, last run). */
  keepProbeRun: (report: ProbeReport, targets: ProbeTarget[]) => Promise<void>;
  /** Reads the service again, as the restarted daemon sees it. */
  reloadService: (plistPath?: string) => Promise<ServiceEnvironment>;
  /** Crash-test point (tests only). */
  faultAt: string | null;
  targets: ProbeTarget[];
  dnsServers: string[];
  timeoutMs: number;
  /** How long to wait for the gateway to answer again after a restart. */
  restartTimeoutMs: number;
}

/**
 * The fix will not go ahead, for a reason the operator can act on (a leaf
 * certificate, a file changed by someone else, a read-only folder). Nothing
 * has been changed when this is thrown.
 */
export class FixRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FixRefused';
  }
}
