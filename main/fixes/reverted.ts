import { viewRemedy, type Finding } from '../contract.ts';
import { bindArgument } from './guards.ts';
import { sha256, type BundleManifest, type Expectation } from './manifest.ts';

/** The service as it is now, as far as the recorded fixes care: read by observe.ts, compared here. */
export interface ServiceNow {
  plistPath: string | null;
  /** The daemon's effective environment. */
  env: Record<string, string>;
  programArguments: string[];
  config: { proxyUrl: string | null; bind: string | null };
  /** SHA-256 of each file the fixes wrote, null when it is gone. */
  files: Record<string, string | null>;
  /** Fingerprints of the certificates in each CA bundle a fix expects, null when it is gone or unreadable. */
  caBundles: Record<string, string[] | null>;
  /** The env file is exactly what OpenClaw's installer generates (it rewrote it), false when hand-shaped, null when there is none. */
  envFileGenerated: boolean | null;
}

/** What the last probe run and listener scan say is broken now. */
export interface FailingNow {
  targets: string[];
  gatewayExposed: boolean;
}

/** A value is shown as is only when the expectation shows the value itself (a path, "loopback"), never a proxy URL. */
function differs(what: string, current: string | undefined | null, want: { sha256: string | null; shown: string }): string | null {
  if (want.sha256 === null) return current === undefined || current === null ? null : `${what} is set again`;
  const visible = sha256(want.shown) === want.sha256;
  if (current === undefined || current === null) return `${what} is no longer set${visible ? ` (the fix set ${want.shown})` : ''}`;
  if (sha256(current) === want.sha256) return null;
  return visible ? `${what} is ${current} now, not ${want.shown}` : `${what} holds another value than ${want.shown}`;
}

function difference(expectation: Expectation, now: ServiceNow): string | null {
  switch (expectation.kind) {
    case 'env': return differs(expectation.name, now.env[expectation.name], expectation);
    case 'config': {
      // An unset gateway.bind is loopback: OpenClaw's default on a Mac.
      const current = expectation.key === 'proxy.proxyUrl' ? now.config.proxyUrl : (now.config.bind ?? 'loopback');
      return differs(`${expectation.key} in openclaw.json`, current, expectation);
    }
    case 'no-bind-argument': {
      const found = bindArgument(now.programArguments);
      return found && found.value !== 'loopback' ? `--bind ${found.value} is back in the service's ProgramArguments` : null;
    }
    case 'ca-bundle': {
      const held = now.caBundles[expectation.path];
      if (!held) return `${expectation.path} is gone or unreadable`;
      const missing = expectation.fingerprints.filter((f) => !held.includes(f));
      return missing.length > 0 ? `${expectation.path} no longer holds ${missing.length} of the ${expectation.fingerprints.length} certificate(s) the fix added` : null;
    }
  }
}

/** The service files that decide each kind of expectation (an inline variable lives in the plist). */
const DECIDED_BY: Record<Expectation['kind'], Array<BundleManifest['files'][number]['role']>> = {
  env: ['env-file', 'plist'], config: ['config'], 'no-bind-argument': ['plist'], 'ca-bundle': ['ca-bundle'],
};

/** The likeliest reason, from what changed since the fix among the files that decide what no longer holds. */
function likelyCause(bundle: BundleManifest, now: ServiceNow, broken: Expectation[]): string {
  if (broken.some((e) => e.kind === 'env' && e.name === 'NODE_EXTRA_CA_CERTS') && now.env.NODE_EXTRA_CA_CERTS === '/etc/ssl/cert.pem') {
    return 'OpenClaw rewrote the service with its defaults: `openclaw doctor --fix`\'s repair, onboarding (`openclaw configure`) and uninstall + install reset NODE_EXTRA_CA_CERTS to /etc/ssl/cert.pem';
  }
  const roles = new Set(broken.flatMap((e) => DECIDED_BY[e.kind]));
  const changed = new Set(bundle.files.filter((f) => roles.has(f.role) && now.files[f.path] !== f.sha256After).map((f) => f.role));
  if (changed.has('env-file')) return now.envFileGenerated ? 'OpenClaw regenerated the service\'s env file (`openclaw gateway install --force`, doctor\'s repair or onboarding)' : 'the service\'s env file was edited by hand';
  if (changed.has('plist')) return 'the LaunchAgent was rewritten or edited (by hand, or by an older installer)';
  if (changed.has('config')) return 'openclaw.json was changed (by hand, `openclaw config set`, or onboarding/`openclaw configure`)';
  if (changed.has('ca-bundle')) return 'the CA bundle file was changed or removed';
  return 'a service file was changed after the fix';
}

/** One key per kind of change: a newer fix of the same kind replaces an older one. */
const changeKey = (bundle: BundleManifest) => `${bundle.kind}:${bundle.request.kind === 'ca' ? bundle.request.scope ?? 'gateway' : ''}`;

/**
 * Each verified fix of this service (the newest per kind), compared with the
 * service as it is now: a fix no longer in force is a `fix.reverted` finding
 * naming the fix, when it was applied, what differs, the likely cause and the
 * one step that puts it back. Warn; critical when the failure it mended is
 * back in the last probe run (or, for bind, the port is exposed again).
 * `bundles` come newest first.
 */
export function revertedFindings(bundles: BundleManifest[], now: ServiceNow, failing: FailingNow): Finding[] {
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const bundle of bundles) {
    if (bundle.state !== 'verified' || bundle.plistPath === null || bundle.plistPath !== now.plistPath || bundle.expect.length === 0) continue;
    if (seen.has(changeKey(bundle))) continue;
    seen.add(changeKey(bundle));
    const broken = bundle.expect.map((e) => ({ e, diff: difference(e, now) })).filter((b): b is { e: Expectation; diff: string } => b.diff !== null);
    if (broken.length === 0) continue;
    const diffs = broken.map((b) => b.diff);
    const back = bundle.fixed.targets.filter((t) => failing.targets.includes(t));
    const exposed = bundle.fixed.exposure && failing.gatewayExposed;
    const command = `clawbar fix reapply ${bundle.id}`;
    findings.push({
      id: 'fix.reverted',
      severity: back.length > 0 || exposed ? 'critical' : 'warn',
      title: `Fix ${bundle.id} (${bundle.summary}) is no longer in force`,
      detail: [
        `Applied ${bundle.createdAt}.`, `Now: ${diffs.join('; ')}.`, `Likely cause: ${likelyCause(bundle, now, broken.map((b) => b.e))}.`,
        ...(back.length > 0 ? [`The failure it fixed is back in the last probe run: ${back.join(', ')}.`] : []),
        ...(exposed ? ['The gateway port is exposed beyond loopback again.'] : []),
      ].join(' '),
      fix: `Put it back with \`${command}\` (a new plan from the same request, with preview and pre-flight).`,
      remedy: { ...viewRemedy('fixes', command), reapply: bundle.id },
    });
  }
  return findings;
}
