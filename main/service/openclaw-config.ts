import JSON5 from 'json5';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../system/errors.ts';
import { readBoundedFile } from '../system/files.ts';

export const DEFAULT_GATEWAY_PORT = 18789;
export const BIND_MODES = ['loopback', 'lan', 'auto', 'tailnet', 'custom'] as const;
export type BindMode = (typeof BIND_MODES)[number];
export const AUTH_MODES = ['none', 'token', 'password', 'trusted-proxy'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** Where OpenClaw keeps its config for a given environment and profile, and why. */
export interface ConfigLocation {
  path: string;
  stateDir: string;
  reason: string;
  profile: string | null;
}

/** OpenClaw treats blank, "undefined" and "null" as unset. */
function envValue(env: Record<string, string>, name: string): string | null {
  const value = env[name]?.trim();
  if (!value || value === 'undefined' || value === 'null') return null;
  return value;
}

function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return isAbsolute(path) ? path : resolve(path);
}

/** The profile a service label implies: `ai.openclaw.gateway` → none, `ai.openclaw.work` → `work`. */
export function profileFromLabel(label: string | null): string | null {
  const match = /^ai\.openclaw\.(.+)$/.exec(label ?? '');
  if (!match || match[1] === 'gateway') return null;
  return match[1]!;
}

/**
 * The default port of a named profile, as OpenClaw derives it:
 * 20000 + FNV-1a (32-bit, over the UTF-8 bytes of the name) mod 40000.
 */
export function profileDefaultPort(profile: string): number {
  let hash = 2166136261;
  for (const byte of Buffer.from(profile, 'utf8')) hash = Math.imul(hash ^ byte, 16777619) >>> 0;
  return 20000 + (hash % 40000);
}

/**
 * Resolves the config path in OpenClaw's order: OPENCLAW_CONFIG_PATH, then
 * OPENCLAW_STATE_DIR/openclaw.json, then <OPENCLAW_HOME or HOME>/.openclaw/.
 * A profile moves the state dir only through the OPENCLAW_STATE_DIR /
 * OPENCLAW_CONFIG_PATH that `--profile` sets (the installer writes them into the
 * env file); OPENCLAW_PROFILE alone changes the default port, not the folder.
 */
export function locateConfig(env: Record<string, string>, fallbackHome: string, label: string | null): ConfigLocation {
  const osHome = envValue(env, 'HOME') ?? fallbackHome;
  const openclawHome = envValue(env, 'OPENCLAW_HOME');
  const home = openclawHome ? expandHome(openclawHome, osHome) : osHome;
  const profile = envValue(env, 'OPENCLAW_PROFILE') ?? profileFromLabel(label);
  const stateOverride = envValue(env, 'OPENCLAW_STATE_DIR');
  const stateDir = stateOverride ? expandHome(stateOverride, osHome) : join(home, '.openclaw');
  const configOverride = envValue(env, 'OPENCLAW_CONFIG_PATH');
  if (configOverride) return { path: expandHome(configOverride, osHome), stateDir, reason: 'OPENCLAW_CONFIG_PATH', profile };
  const reason = stateOverride ? 'OPENCLAW_STATE_DIR' : openclawHome ? 'OPENCLAW_HOME' : 'default (~/.openclaw)';
  return { path: join(stateDir, 'openclaw.json'), stateDir, reason, profile };
}

/** The settings clawbar needs from openclaw.json. Secrets stay in `secrets`, never in the rest. */
export interface GatewayConfig {
  found: boolean;
  port: number | null;
  bind: string | null;
  customBindHost: string | null;
  authMode: string | null;
  trustedProxies: string[];
  proxyUrl: string | null;
  proxyLoopbackMode: 'gateway-only' | 'proxy' | 'block';
  providerBaseUrls: Array<{ id: string; url: string }>;
  catalogRefresh: boolean;
  updateCheckOnStart: boolean;
  /** `logging.file`: where the gateway writes its JSON-lines log instead of /tmp/openclaw/openclaw-<date>.log. */
  logFile?: string | null;
  /** Values that must be redacted wherever they appear (auth token/password). */
  secrets: string[];
  /** Set when the file exists but OpenClaw would reject it. */
  error: string | null;
}

const EMPTY: GatewayConfig = {
  found: false, port: null, bind: null, customBindHost: null, authMode: null, trustedProxies: [],
  proxyUrl: null, proxyLoopbackMode: 'gateway-only', providerBaseUrls: [], catalogRefresh: true, updateCheckOnStart: true, logFile: null, secrets: [], error: null,
};

const asRecord = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const asString = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : null);

const SECRET_KEY = /(token|password|passwd|secret|api[-_]?key|apikey|credential|cookie|private[-_]?key|webhook|auth[-_]?header)/i;
const MAX_CONFIG_DEPTH = 32;

/**
 * Every value the config keeps under a secret-sounding key (gateway tokens,
 * provider API keys, channel bot tokens, webhook URLs) wherever it sits, so a
 * preview of an edit to the file cannot show one. Bounded in depth: the
 * config is the operator's, and a hostile one must not recurse forever.
 */
export function configSecrets(data: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, secretKey: boolean, depth: number): void => {
    if (depth > MAX_CONFIG_DEPTH) return;
    if (typeof value === 'string') {
      if (secretKey && value.length > 0) found.add(value);
      return;
    }
    if (Array.isArray(value)) for (const item of value) walk(item, secretKey, depth + 1);
    else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) walk(item, secretKey || SECRET_KEY.test(key), depth + 1);
  };
  walk(data, false, 0);
  return [...found];
}

/** Extracts the gateway settings from parsed config JSON. */
export function readGatewayConfig(data: unknown): GatewayConfig {
  const root = asRecord(data);
  const gateway = asRecord(root.gateway);
  const auth = asRecord(gateway.auth);
  const proxy = asRecord(root.proxy);
  const models = asRecord(root.models);
  const providers = asRecord(models.providers);
  const portValue = gateway.port;
  const port = typeof portValue === 'number' && Number.isInteger(portValue) && portValue > 0 && portValue < 65536 ? portValue : null;
  const secrets = configSecrets(root);
  return {
    found: true,
    port,
    bind: asString(gateway.bind),
    customBindHost: asString(gateway.customBindHost),
    authMode: asString(auth.mode),
    trustedProxies: Array.isArray(gateway.trustedProxies) ? gateway.trustedProxies.filter((p): p is string => typeof p === 'string') : [],
    proxyUrl: proxy.enabled === false ? null : asString(proxy.proxyUrl),
    proxyLoopbackMode: proxy.loopbackMode === 'proxy' || proxy.loopbackMode === 'block' ? proxy.loopbackMode : 'gateway-only',
    providerBaseUrls: Object.entries(providers)
      .map(([id, value]) => ({ id, url: asString(asRecord(value).baseUrl) }))
      .filter((item): item is { id: string; url: string } => item.url !== null),
    catalogRefresh: asRecord(models.catalogRefresh).enabled !== false,
    updateCheckOnStart: asRecord(root.update).checkOnStart !== false,
    logFile: asString(asRecord(root.logging).file),
    secrets,
    error: portValue !== undefined && port === null ? `gateway.port ${JSON.stringify(portValue)} is not a valid port` : null,
  };
}

/** openclaw.json is a few KB; JSON5's parser costs about 1 ms per KB, so a bigger file is refused before it is parsed. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Reads openclaw.json (JSON5). A missing file is normal (defaults apply); a broken one is reported in `error`. */
export async function loadGatewayConfig(path: string): Promise<GatewayConfig> {
  let text: string;
  try {
    text = (await readBoundedFile(path, MAX_CONFIG_BYTES)).toString('utf8');
  } catch (error) {
    if (error instanceof InputError && /no such file/.test(error.message)) return { ...EMPTY };
    return { ...EMPTY, found: true, error: (error as Error).message };
  }
  try {
    return readGatewayConfig(JSON5.parse(text));
  } catch (error) {
    return { ...EMPTY, found: true, error: `${path} is not valid JSON5 (${(error as Error).message}); OpenClaw refuses to start with it` };
  }
}
