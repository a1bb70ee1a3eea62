import { z } from 'zod';
import { Finding, Severity } from './common.ts';

/** The daemon's effective environment as `clawbar env` reports it. */

export const VariableSource = z.enum(['launchd', 'inline', 'file', 'shell', 'dotenv']);
export type VariableSource = z.infer<typeof VariableSource>;

export const EnvVariable = z.object({
  name: z.string(),
  value: z.string(),
  source: VariableSource,
  /** Earlier sources that also set this variable and lost. */
  overrides: z.array(VariableSource),
  redacted: z.boolean(),
});
export type EnvVariable = z.infer<typeof EnvVariable>;

export const Candidate = z.object({
  path: z.string(),
  scope: z.enum(['user-agent', 'global-agent', 'daemon']),
  label: z.string().nullable(),
  score: z.number(),
  reasons: z.array(z.string()),
  error: z.string().nullable(),
});

export const ServiceInfo = z.object({
  plistPath: z.string(),
  label: z.string().nullable(),
  scope: z.enum(['user-agent', 'global-agent', 'daemon']),
  domainTarget: z.string().nullable(),
  format: z.enum(['xml', 'binary']),
  layout: z.enum(['env-wrapper', 'inline']),
  wrapperPath: z.string().nullable(),
  envFilePath: z.string().nullable(),
  userName: z.string().nullable(),
  workingDirectory: z.string(),
  command: z.array(z.string()),
  nodePath: z.string().nullable(),
  nodeExists: z.boolean(),
  keepAlive: z.boolean().nullable(),
  runAtLoad: z.boolean().nullable(),
  stdoutPath: z.string().nullable(),
  stderrPath: z.string().nullable(),
  discovery: z.object({ chosenBecause: z.array(z.string()), candidates: z.array(Candidate) }),
});

export const GatewayInfo = z.object({
  configPath: z.string(),
  configReason: z.string(),
  configFound: z.boolean(),
  profile: z.string().nullable(),
  port: z.number(),
  portSource: z.enum(['argument', 'environment', 'config', 'default']),
  bind: z.string(),
  customBindHost: z.string().nullable(),
  authMode: z.string(),
  trustedProxies: z.array(z.string()),
  proxyUrl: z.string().nullable(),
  healthUrl: z.string(),
  readyUrl: z.string(),
  wsUrl: z.string(),
});

export const LaunchdInfo = z.object({
  status: z.enum(['loaded', 'not-loaded', 'unavailable', 'error']),
  target: z.string().nullable(),
  message: z.string().nullable(),
  running: z.boolean().nullable(),
  pid: z.number().nullable(),
  lastExitCode: z.number().nullable(),
  lastSignal: z.string().nullable(),
  drift: z.array(z.object({ what: z.string(), detail: z.string() })),
});

export const ShellDifference = z.object({
  name: z.string(),
  kind: z.enum(['proxy', 'ca', 'path', 'node']),
  shell: z.string().nullable(),
  daemon: z.string().nullable(),
});
export type ShellDifference = z.infer<typeof ShellDifference>;
export type GatewayInfo = z.infer<typeof GatewayInfo>;
export type ServiceInfo = z.infer<typeof ServiceInfo>;
export type LaunchdInfo = z.infer<typeof LaunchdInfo>;

export const EnvReport = z.object({
  schema: z.literal('clawbar.env/1'),
  overall: Severity,
  service: ServiceInfo.nullable(),
  environment: z.object({
    variables: z.array(EnvVariable),
    redactedKeys: z.array(z.string()),
  }),
  gateway: GatewayInfo,
  launchd: LaunchdInfo,
  shellDiff: z.array(ShellDifference),
  findings: z.array(Finding),
});
export type EnvReport = z.infer<typeof EnvReport>;
