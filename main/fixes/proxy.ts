import JSON5 from 'json5';
import { UsageError } from '../system/errors.ts';
import { readBoundedFile } from '../system/files.ts';
import { redactUrl } from '../system/redact.ts';
import { configWrite } from './config-file.ts';
import { sha256, type Expectation } from './manifest.ts';
import { proxyValidation } from './proxy-validate.ts';
import { environmentWrites } from './service-files.ts';
import type { FixContext, FixDraft } from './types.ts';

const LOOPBACK = ['localhost', '127.0.0.1', '::1'];
/** The proxy variables OpenClaw's service audit looks for (its SERVICE_PROXY_ENV_KEYS). */
const PROXY_VARIABLES = ['OPENCLAW_PROXY_URL', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy'];

/** Checks a proxy URL the way the gateway will use it; bad input is a usage error (exit 64), never a write. */
export function parseProxyUrl(value: string): URL {
  let url: URL;
  try { url = new URL(value); } catch {
    throw new UsageError("--url is not a URL (expected http://[user:password@]host:port)");
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url: scheme ${url.protocol} is not supported: the gateway speaks to http:// or https:// proxies only`);
  if (!url.hostname) throw new UsageError('--url has no host');
  if (!url.port && !/:\d+\/?$/.test(value.replace(/\?.*$/, ''))) throw new UsageError('--url needs an explicit port (e.g. http://proxy.corp:3128)');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) throw new UsageError('--url must not have a path, query or fragment');
  // The gateway's runtime percent-decodes the user info and throws on a broken escape, so such a proxy would never work.
  for (const [part, text] of [['user name', url.username], ['password', url.password]] as const) {
    try { decodeURIComponent(text); } catch {
      throw new UsageError(`--url: the ${part} holds a broken percent escape (a % not followed by two hex digits); write a literal % as %25`);
    }
  }
  return url;
}

/** NO_PROXY entries: what was there, loopback, the gateway's own address and the operator's list, each once. */
export function mergeNoProxy(existing: string | undefined, extra: string[]): string {
  const entries = [...(existing ?? '').split(','), ...LOOPBACK, ...extra].map((e) => e.trim()).filter(Boolean);
  return [...new Set(entries)].join(',');
}

/** The gateway is OpenClaw's when its installer's markers are in the environment or the label is OpenClaw's. */
const isOpenclaw = (context: FixContext) => Boolean(context.service.env.OPENCLAW_SERVICE_MARKER || context.service.env.OPENCLAW_LAUNCHD_LABEL
  || /^ai\.openclaw\./.test(context.service.facts.service?.label ?? ''));

/** `proxy.enabled: false` keeps a URL stored but off; the fix turns it back on. */
async function proxyDisabled(path: string): Promise<boolean> {
  try { return (JSON5.parse((await readBoundedFile(path)).toString('utf8')) as { proxy?: { enabled?: unknown } })?.proxy?.enabled === false; } catch { return false; }
}

/**
 * `fix proxy`: the proxy the daemon should use, written where it lasts. An
 * OpenClaw service gets `proxy.proxyUrl` in openclaw.json, always: OpenClaw's
 * docs keep a managed proxy there "so it survives reinstall", its audit flags
 * proxy variables embedded in the service, `gateway install --force` drops
 * them and `openclaw update` refuses to refresh a service that carries
 * HTTP(S)_PROXY/NO_PROXY. Proxy variables already in the service move into
 * the config. Other services get HTTPS_PROXY/HTTP_PROXY, with NO_PROXY
 * keeping loopback and the gateway direct.
 */
export async function draftProxy(context: FixContext, rawUrl: string, noProxy: string[]): Promise<FixDraft> {
  const url = parseProxyUrl(rawUrl);
  const value = url.href.replace(/\/$/, '');
  // The password in every form; the rest of the URL stays readable (the policy hides a URL's user info wherever it appears).
  const secrets = [decodeURIComponent(url.password), url.password].filter((s) => s.length > 0);
  const holdsSecret = url.password !== '';
  const env = context.service.env;
  const notes: string[] = [];
  const writes: FixDraft['writes'] = [];
  const candidate = { ...env };
  const expect: Expectation[] = [];
  let managedProxy = context.service.managedProxy;
  let preflightCheck: FixDraft['preflightCheck'];
  let edit: { set: Record<string, string>; unset: string[] } = { set: {}, unset: [] };
  if (isOpenclaw(context)) {
    managedProxy = { url: value, loopbackMode: context.service.config.proxyLoopbackMode };
    const configPath = context.service.facts.gateway.configPath;
    const turnOn = await proxyDisabled(configPath);
    const config = await configWrite(context, [[['proxy', 'proxyUrl'], value], ...(turnOn ? [[['proxy', 'enabled'], true] as [string[], unknown]] : [])], { holdsSecret });
    writes.push(config.write);
    notes.push(`The proxy goes into ${configPath} as proxy.proxyUrl, where OpenClaw keeps it: restarts, \`openclaw update\`, \`openclaw gateway install --force\` and doctor's repair all leave it in place.`, ...config.notes);
    if (turnOn) notes.push('proxy.enabled was false (the URL stored but off); it becomes true.');
    const embedded = PROXY_VARIABLES.filter((name) => env[name] !== undefined);
    if (embedded.length > 0) {
      edit = { set: {}, unset: embedded };
      for (const name of embedded) delete candidate[name];
      notes.push(`${embedded.join(', ')} move out of the service's environment into the config: OpenClaw's audit flags proxy variables embedded in the service (gateway-proxy-env-embedded), its update will not refresh a service that carries them, and a reinstall drops them.`);
    }
    const dropped = [...(env.NO_PROXY ?? env.no_proxy ?? '').split(','), ...noProxy].map((e) => e.trim()).filter((e) => e && !LOOPBACK.includes(e));
    notes.push(`OpenClaw's managed proxy keeps loopback (and so the gateway itself) direct on its own and sets NO_PROXY to loopback only${dropped.length ? `; ${[...new Set(dropped)].join(', ')} will go through the proxy` : ''}.`);
    expect.push({ kind: 'config', key: 'proxy.proxyUrl', sha256: sha256(value), shown: 'the proxy URL the fix set' });
    preflightCheck = proxyValidation(value, candidate);
  } else {
    const gateway = context.service.facts.gateway;
    const gatewayHost = gateway.customBindHost && !['0.0.0.0', '::'].includes(gateway.customBindHost) ? [gateway.customBindHost] : [];
    for (const name of ['HTTPS_PROXY', 'HTTP_PROXY']) edit.set[name] = value;
    // undici lets the lowercase spelling win: keep both in step when both exist.
    for (const name of ['https_proxy', 'http_proxy']) if (env[name] !== undefined) edit.set[name] = value;
    edit.set.NO_PROXY = mergeNoProxy(env.NO_PROXY, [...gatewayHost, ...noProxy]);
    if (env.no_proxy !== undefined) edit.set.no_proxy = mergeNoProxy(env.no_proxy, [...gatewayHost, ...noProxy]);
    Object.assign(candidate, edit.set);
    expect.push({ kind: 'env', name: 'HTTPS_PROXY', sha256: sha256(value), shown: 'the proxy URL the fix set' });
  }
  if (Object.keys(edit.set).length > 0 || edit.unset.length > 0) writes.push(...(await environmentWrites(context.service, edit, { holdsSecret })).writes);
  const restart = writes.some((w) => w.role === 'plist') ? 'reload' : 'kickstart';
  if (url.password) notes.push('The proxy password is stored in the service\'s files (mode 0600) and is redacted in every preview, log and report.');
  return {
    kind: 'proxy',
    title: `Send the gateway's outbound traffic through ${redactUrl(value)}`,
    explanation: [
      managedProxy && isOpenclaw(context) ? 'OpenClaw routes its egress through its managed proxy, set by proxy.proxyUrl in openclaw.json.' : 'The service reads HTTPS_PROXY/HTTP_PROXY (undici EnvHttpProxyAgent).',
      'The pre-flight runs the probes through the proxy before anything is written: CONNECT to each HTTPS target (port 443 for provider hosts) and the WebSocket upgrade where the route goes through the proxy.',
    ],
    notes, writes, commands: [], attachments: [], restart,
    candidate: { env: candidate, managedProxy }, preflightFiles: [], noPreflightBecause: null, secrets, extraCheck: null, expect, preflightCheck,
  };
}
