import type { EnvFileFacts } from '../../../main/service/env-layers.ts';
import type { EnvFileResult } from '../../../main/service/env-file.ts';
import type { FindingInput } from '../../../main/service/findings.ts';
import { OPENCLAW_WRAPPER_TEXT } from '../../../main/service/layout.ts';
import type { LaunchdJob } from '../../../main/service/plist.ts';

/** Hand-made service facts in the shapes the service reader produces, for the pure findings function. */

export const ENV_FILE_PATH = '/Users/op/.openclaw/service-env/ai.openclaw.gateway.env';
export const WRAPPER = { kind: 'env-wrapper' as const, shell: '/bin/sh', wrapperPath: '/Users/op/.openclaw/bin/env-wrapper.sh', envFilePath: ENV_FILE_PATH, command: ['/opt/homebrew/bin/node', 'openclaw.mjs', 'gateway'] };

export const job = (over: Partial<LaunchdJob> = {}): LaunchdJob => ({
  label: 'ai.openclaw.gateway', program: null, programArguments: ['/bin/sh', WRAPPER.wrapperPath, ENV_FILE_PATH], environmentVariables: {}, workingDirectory: '/Users/op',
  userName: null, standardOutPath: null, standardErrorPath: null, keepAlive: true, runAtLoad: true, format: 'xml', problems: [], ...over,
});

export const envResult = (over: Partial<EnvFileResult> = {}): EnvFileResult => ({
  header: '# openclaw service env', headerOk: true, environment: {}, assigned: new Map(), removed: new Set(), issues: [], fatal: false, ...over,
});
export const envFile = (over: Partial<EnvFileFacts> = {}): EnvFileFacts => ({ path: ENV_FILE_PATH, readable: true, readError: null, mode: 0o600, mtimeMs: 0, result: envResult(), ...over });

/** A healthy, loopback-only, token-protected gateway under the env-wrapper layout: no findings. */
export const findingInput = (): FindingInput => ({
  discovered: { path: '/Users/op/Library/LaunchAgents/ai.openclaw.gateway.plist', candidates: [] },
  job: job(),
  layout: WRAPPER,
  envFile: envFile(),
  wrapperText: OPENCLAW_WRAPPER_TEXT,
  plistMode: 0o644,
  inline: {},
  effective: { PATH: '/usr/bin:/bin', HOME: '/Users/op' },
  config: { found: true, port: 18789, bind: 'loopback', customBindHost: null, authMode: 'token', trustedProxies: [], proxyUrl: null, proxyLoopbackMode: 'gateway-only', providerBaseUrls: [], catalogRefresh: true, updateCheckOnStart: true, secrets: [], error: null },
  gateway: {
    configPath: '/Users/op/.openclaw/openclaw.json', configReason: 'default', configFound: true, profile: null, port: 18789, portSource: 'config', bind: 'loopback', customBindHost: null,
    authMode: 'token', trustedProxies: [], proxyUrl: null, healthUrl: 'http://127.0.0.1:18789/health', readyUrl: 'http://127.0.0.1:18789/readyz', wsUrl: 'ws://127.0.0.1:18789/',
  },
  launchd: { status: 'loaded', target: 'gui/501/ai.openclaw.gateway', message: null, running: true, pid: 4242, lastExitCode: 0, lastSignal: null, drift: [] },
  nodePath: '/opt/homebrew/bin/node',
  nodeExists: true,
  configPath: '/Users/op/.openclaw/openclaw.json',
  shellDiff: [],
});
