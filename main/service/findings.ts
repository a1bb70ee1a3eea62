import { isAbsolute } from 'node:path';
import { accessSync, constants, statSync } from 'node:fs';
import { fixRemedy, sortBySeverity, viewRemedy, type Finding, type GatewayInfo, type LaunchdInfo, type Remedy, type ShellDifference } from '../contract.ts';
import { isSecretName, looksSecret, urlCredentials } from '../system/redact.ts';
import type { ServiceCandidate } from './discover.ts';
import type { EnvFileFacts } from './env-layers.ts';
import type { ServiceLayout } from './layout.ts';
import { OPENCLAW_WRAPPER_TEXT } from './layout.ts';
import type { GatewayConfig } from './openclaw-config.ts';
import type { LaunchdJob } from './plist.ts';

export interface FindingInput {
  discovered: { path: string | null; candidates: ServiceCandidate[] };
  job: LaunchdJob | null;
  layout: ServiceLayout | null;
  envFile: EnvFileFacts | null;
  wrapperText: string | Error | null;
  plistMode: number | null;
  inline: Record<string, string>;
  effective: Record<string, string>;
  config: GatewayConfig;
  gateway: GatewayInfo;
  launchd: LaunchdInfo;
  nodePath: string | null;
  nodeExists: boolean;
  configPath: string;
  shellDiff: ShellDifference[];
}

const FIX_PROXY = 'clawbar fix proxy --url <proxy URL>';
const LOOPBACK_BYPASS = ['localhost', '127.0.0.1', '::1'];
const REINSTALL = 'openclaw gateway install --force';
/** Service problems are read in the environment view; the command is the one line that repairs them, if there is one. */
const seeEnv = (command: string | null = null): Remedy => viewRemedy('environment', command);

const hasSecrets = (vars: Record<string, string>) =>
  Object.entries(vars).some(([name, value]) => value && (isSecretName(name) || looksSecret(value) || urlCredentials(value).length > 0));
const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/** Whether a NO_PROXY list (undici rules) sends loopback traffic direct. */
export function noProxyCoversLoopback(value: string | undefined): boolean {
  if (!value) return false;
  if (value.trim() === '*') return true;
  const entries = value.split(/[,\s]+/).map((entry) => entry.trim().toLowerCase().replace(/^\[|\]$/g, ''));
  return LOOPBACK_BYPASS.every((host) => entries.includes(host) || (host === '127.0.0.1' && entries.some((e) => e === '127.0.0.0/8')));
}

function proxyFindings(env: Record<string, string>): Finding[] {
  const out: Finding[] = [];
  const proxyNames = Object.keys(env).filter((name) => /^(https?_proxy|all_proxy|no_proxy)$/i.test(name)).sort();
  if (proxyNames.length > 0) {
    out.push({
      id: 'proxy.env-embedded', severity: 'warn',
      title: `Proxy variables are embedded in the service environment (${proxyNames.join(', ')})`,
      detail: "OpenClaw's own service audit flags this (gateway-proxy-env-embedded); they still apply at runtime through undici's EnvHttpProxyAgent, lowercase names first.",
      fix: `Use OpenClaw's supported setting instead: ${FIX_PROXY} writes OPENCLAW_PROXY_URL.`,
      remedy: fixRemedy('proxy'),
    });
  }
  const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY ?? env.http_proxy ?? env.HTTP_PROXY;
  const noProxy = env.no_proxy ?? env.NO_PROXY;
  if (httpsProxy && !noProxyCoversLoopback(noProxy)) {
    out.push({
      id: 'proxy.no-loopback-bypass', severity: 'warn',
      title: 'A proxy is set but NO_PROXY does not cover localhost, 127.0.0.1 and ::1',
      detail: "The gateway's own loopback calls (health checks, local tools) would be sent to the proxy.",
      fix: `${FIX_PROXY} --no-proxy localhost,127.0.0.1,::1`,
      remedy: fixRemedy('proxy', { noProxy: LOOPBACK_BYPASS.join(',') }),
    });
  }
  return out;
}

function caFindings(env: Record<string, string>): Finding[] {
  const out: Finding[] = [];
  const extra = env.NODE_EXTRA_CA_CERTS;
  if (extra !== undefined) {
    let problem: string | null = null;
    if (!isAbsolute(extra)) problem = 'is not an absolute path';
    else {
      try {
        if (!statSync(extra).isFile()) problem = 'is not a file';
        else accessSync(extra, constants.R_OK);
      } catch (error) {
        problem = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
      }
    }
    if (problem) {
      out.push({
        id: 'ca.extra-certs-missing', severity: 'critical',
        title: `NODE_EXTRA_CA_CERTS points at ${extra}, which ${problem}`,
        detail: 'Node only warns and carries on without the extra CAs, so every TLS connection through an inspecting proxy fails with an unknown-CA error.',
        fix: 'clawbar fix ca --cert <your CA file> --scope gateway',
        remedy: fixRemedy('ca', { scope: 'gateway' }),
      });
    }
  }
  if (env.NODE_TLS_REJECT_UNAUTHORIZED === '0') {
    out.push({
      id: 'tls.verification-disabled', severity: 'critical',
      title: 'NODE_TLS_REJECT_UNAUTHORIZED=0 turns off certificate checks for the whole gateway',
      detail: 'Every outbound TLS connection accepts any certificate: an attacker on the path can read API keys.',
      fix: 'Remove it and trust the proxy CA instead: clawbar fix ca --cert <CA file>',
      remedy: fixRemedy('ca'),
    });
  }
  return out;
}

function envFileFindings(input: FindingInput): Finding[] {
  const { envFile } = input;
  if (!envFile) {
    if (input.layout?.kind === 'env-wrapper') {
      return [{ id: 'envfile.missing-argument', severity: 'critical', title: 'The wrapper is started without an env file argument', detail: 'The wrapper exits 78 and the gateway never starts.', fix: REINSTALL, remedy: seeEnv(REINSTALL) }];
    }
    return [];
  }
  const out: Finding[] = [];
  if (!envFile.readable) {
    const ours = /permission denied/.test(envFile.readError ?? '');
    out.push({
      id: ours ? 'envfile.unreadable' : 'envfile.missing', severity: ours ? 'warn' : 'critical',
      title: ours ? `clawbar cannot read the env file ${envFile.path}` : `The env file ${envFile.path} cannot be used: ${envFile.readError}`,
      detail: ours ? "Run clawbar as the service's user to see the daemon's full environment." : 'The wrapper exits 78 and the gateway never starts.',
      fix: ours ? null : REINSTALL,
      remedy: seeEnv(ours ? null : REINSTALL),
    });
    return out;
  }
  const result = envFile.result!;
  if (!result.headerOk) {
    out.push({
      id: 'envfile.bad-header', severity: 'critical',
      title: 'The env file header is not the one the wrapper demands: the wrapper will exit 78 and the gateway cannot start',
      detail: result.header === null ? 'The file has no complete first line.' : `First line is ${JSON.stringify(result.header.slice(0, 120))}.`,
      fix: `${REINSTALL} (or restore the exact first line)`,
      remedy: seeEnv(REINSTALL),
    });
  }
  for (const issue of result.issues) {
    out.push({ id: issue.severity === 'critical' ? 'envfile.broken' : 'envfile.unsupported', severity: issue.severity, title: `Env file${issue.line ? ` line ${issue.line}` : ''}: ${issue.message}`, fix: issue.severity === 'critical' ? `Fix the quoting, or run ${REINSTALL}` : null, remedy: seeEnv(issue.severity === 'critical' ? REINSTALL : null) });
  }
  if (envFile.mode !== null && (envFile.mode & 0o077) !== 0 && hasSecrets(Object.fromEntries([...result.assigned].map(([k, a]) => [k, a.value])))) {
    out.push({ id: 'envfile.secrets-readable', severity: 'critical', title: `The env file holds secrets and is readable by other users (mode ${octal(envFile.mode)})`, detail: envFile.path, fix: `chmod 600 '${envFile.path}'`, remedy: seeEnv(`chmod 600 '${envFile.path}'`) });
  }
  return out;
}

function serviceFindings(input: FindingInput): Finding[] {
  const out: Finding[] = [];
  const { job, layout } = input;
  if (!job) {
    const broken = input.discovered.candidates.filter((c) => c.error);
    out.push({ id: 'service.not-found', severity: 'warn', title: 'No OpenClaw gateway LaunchAgent or LaunchDaemon was found', detail: broken.length ? broken.map((c) => c.error).join('; ') : 'Looked in ~/Library/LaunchAgents, /Library/LaunchAgents and /Library/LaunchDaemons.', fix: 'openclaw gateway install, or pass --plist PATH', remedy: seeEnv('openclaw gateway install') });
    return out;
  }
  for (const problem of job.problems) out.push({ id: 'plist.invalid', severity: 'critical', title: `The plist is wrong: ${problem}`, fix: REINSTALL, remedy: seeEnv(REINSTALL) });
  if (input.plistMode !== null && (input.plistMode & 0o004) !== 0 && hasSecrets(input.inline)) {
    out.push({ id: 'plist.secrets-readable', severity: 'critical', title: `The plist holds secrets in EnvironmentVariables and is world-readable (mode ${octal(input.plistMode)})`, detail: 'Move them to the env file (mode 0600) or a secret store.', fix: `${REINSTALL} moves them to the 0600 env file`, remedy: seeEnv(REINSTALL) });
  }
  if (layout?.kind === 'env-wrapper') {
    if (input.wrapperText instanceof Error) out.push({ id: 'wrapper.missing', severity: 'critical', title: `The env wrapper cannot be read: ${input.wrapperText.message}`, detail: 'launchd cannot start the gateway.', fix: REINSTALL, remedy: seeEnv(REINSTALL) });
    else if (input.wrapperText !== null && input.wrapperText !== OPENCLAW_WRAPPER_TEXT) out.push({ id: 'wrapper.modified', severity: 'warn', title: "The env wrapper is not OpenClaw's text", detail: layout.wrapperPath, fix: REINSTALL, remedy: seeEnv(REINSTALL) });
  }
  if (input.nodePath && !input.nodeExists) out.push({ id: 'node.missing', severity: 'critical', title: `The daemon's program ${input.nodePath} does not exist or is not executable`, detail: 'A Homebrew upgrade or a removed nvm version often causes this.', fix: `${REINSTALL} (re-detects node)`, remedy: seeEnv(REINSTALL) });
  return out;
}

function gatewayFindings(input: FindingInput): Finding[] {
  const out: Finding[] = [];
  const { gateway, config } = input;
  if (config.error) out.push({ id: 'config.invalid', severity: 'critical', title: config.error, fix: 'openclaw doctor', remedy: seeEnv('openclaw doctor') });
  const exposed = gateway.bind !== 'loopback' && !(gateway.bind === 'custom' && /^(127\.|::1$|localhost$)/.test(gateway.customBindHost ?? ''));
  if (exposed) {
    out.push({ id: 'bind.not-loopback', severity: gateway.authMode === 'none' ? 'critical' : 'warn', title: `gateway.bind is ${gateway.bind}: the gateway listens beyond this Mac${gateway.authMode === 'none' ? ' with no authentication' : ''}`, detail: 'Production gateways should listen on 127.0.0.1 and be reached through a reverse proxy or SSH tunnel.', fix: 'clawbar fix bind', remedy: fixRemedy('bind') });
  }
  if (gateway.authMode === 'none') out.push({ id: 'auth.none', severity: exposed ? 'critical' : 'warn', title: 'Gateway authentication is off (auth mode none)', detail: 'Anything that can reach the port can drive the gateway.', fix: 'openclaw config set gateway.auth.mode token', remedy: seeEnv('openclaw config set gateway.auth.mode token') });
  return out;
}

function launchdFindings(launchd: LaunchdInfo): Finding[] {
  const out: Finding[] = [];
  if (launchd.status === 'not-loaded') {
    const bootstrap = `launchctl bootstrap ${launchd.target?.split('/').slice(0, -1).join('/')} <plist>`;
    out.push({ id: 'launchd.not-loaded', severity: 'warn', title: `launchd has not loaded ${launchd.target}`, detail: launchd.message ?? undefined, fix: bootstrap, remedy: seeEnv(bootstrap) });
  }
  if (launchd.status === 'loaded' && !launchd.running && launchd.lastExitCode !== null && launchd.lastExitCode !== 0) {
    out.push({ id: 'launchd.last-exit', severity: 'critical', title: `The gateway is not running; its last exit code was ${launchd.lastExitCode}${launchd.lastExitCode === 78 ? ' (the env wrapper rejected the env file)' : ''}`, fix: 'Open the gateway log; openclaw doctor', remedy: seeEnv('openclaw doctor') });
  }
  for (const item of launchd.drift) out.push({ id: 'launchd.drift', severity: 'warn', title: `Restart needed: ${item.detail}`, fix: 'launchctl kickstart -k (env file) or bootout + bootstrap (plist)', remedy: seeEnv() });
  return out;
}

function shellFindings(diff: ShellDifference[]): Finding[] {
  const proxyOnlyInShell = diff.filter((d) => d.kind === 'proxy' && d.shell && !d.daemon).map((d) => d.name);
  if (proxyOnlyInShell.length === 0) return [];
  return [{ id: 'shell.proxy-only-in-shell', severity: 'warn', title: `Your shell sets ${proxyOnlyInShell.join(', ')} but the gateway daemon does not`, detail: 'What works in Terminal may fail under launchd.', fix: FIX_PROXY, remedy: fixRemedy('proxy') }];
}

/** All findings about the service environment, worst first. */
export function buildFindings(input: FindingInput): Finding[] {
  const all = [
    ...serviceFindings(input), ...envFileFindings(input), ...gatewayFindings(input), ...launchdFindings(input.launchd),
    ...(input.job ? [...proxyFindings(input.effective), ...caFindings(input.effective)] : []), ...shellFindings(input.shellDiff),
  ];
  return sortBySeverity(all);
}
