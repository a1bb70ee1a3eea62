import { UsageError } from '../system/errors.ts';
import { redactUrl } from '../system/redact.ts';
import { configWrite } from './config-file.ts';
import { environmentWrites } from './service-files.ts';
import type { FixContext, FixDraft } from './types.ts';

const LOOPBACK = ['localhost', '127.0.0.1', '::1'];

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

/**
 * `fix proxy`: the proxy the daemon should use, written where it honours it.
 * OpenClaw services get OpenClaw's managed proxy (config `proxy.proxyUrl` when
 * the config already sets one, since it wins; otherwise OPENCLAW_PROXY_URL in
 * the env file, the one proxy variable its installer keeps). Other services get
 * HTTPS_PROXY/HTTP_PROXY. NO_PROXY always keeps loopback and the gateway direct.
 */
export async function draftProxy(context: FixContext, rawUrl: string, noProxy: string[]): Promise<FixDraft> {
  const url = parseProxyUrl(rawUrl);
  const value = url.href.replace(/\/$/, '');
  const secrets = [decodeURIComponent(url.password), url.password, value].filter((s) => s.length > 0);
  const env = context.service.env;
  const gateway = context.service.facts.gateway;
  const gatewayHost = gateway.customBindHost && !['0.0.0.0', '::'].includes(gateway.customBindHost) ? [gateway.customBindHost] : [];
  const set: Record<string, string> = {};
  const notes: string[] = [];
  const candidate = { ...env };
  let managedProxy = context.service.managedProxy;
  const writes: FixDraft['writes'] = [];
  const openclaw = isOpenclaw(context);
  if (openclaw) {
    managedProxy = { url: value, loopbackMode: context.service.config.proxyLoopbackMode };
    if (context.service.config.proxyUrl) {
      const edit = await configWrite(context, ['proxy', 'proxyUrl'], value, { holdsSecret: url.password !== '' });
      writes.push(edit.write);
      notes.push('proxy.proxyUrl in the config wins over OPENCLAW_PROXY_URL, so the config is changed.', ...edit.notes);
    } else {
      set.OPENCLAW_PROXY_URL = value;
    }
    if (env.HTTPS_PROXY || env.HTTP_PROXY || env.https_proxy || env.http_proxy) notes.push('HTTP(S)_PROXY is also set in the service environment; OpenClaw\'s audit flags it (gateway-proxy-env-embedded). Consider removing it.');
  } else {
    for (const name of ['HTTPS_PROXY', 'HTTP_PROXY']) set[name] = value;
    // undici lets the lowercase spelling win: keep both in step when both exist.
    for (const name of ['https_proxy', 'http_proxy']) if (env[name] !== undefined) set[name] = value;
  }
  const wantsNoProxy = !openclaw || noProxy.length > 0 || env.NO_PROXY !== undefined || env.no_proxy !== undefined;
  if (wantsNoProxy) {
    set.NO_PROXY = mergeNoProxy(env.NO_PROXY, [...gatewayHost, ...noProxy]);
    if (env.no_proxy !== undefined) set.no_proxy = mergeNoProxy(env.no_proxy, [...gatewayHost, ...noProxy]);
  } else {
    notes.push('OpenClaw\'s managed proxy keeps loopback (and so the gateway itself) direct on its own; no NO_PROXY is written.');
  }
  Object.assign(candidate, set);
  if (Object.keys(set).length > 0) {
    const edit = await environmentWrites(context.service, { set, unset: [] }, { holdsSecret: url.password !== '' });
    writes.push(...edit.writes);
  }
  const restart = writes.some((w) => w.role === 'plist') ? 'reload' : 'kickstart';
  if (url.password) notes.push('The proxy password is stored in the service\'s files (mode 0600) and is redacted in every preview, log and report.');
  return {
    kind: 'proxy',
    title: `Send the gateway's outbound traffic through ${redactUrl(value)}`,
    explanation: [
      openclaw ? 'OpenClaw routes its egress through a managed proxy (proxy.proxyUrl or OPENCLAW_PROXY_URL).' : 'The service reads HTTPS_PROXY/HTTP_PROXY (undici EnvHttpProxyAgent).',
      'The pre-flight runs the probes through the proxy before anything is written: CONNECT to each HTTPS target (port 443 for provider hosts) and the WebSocket upgrade where the route goes through the proxy.',
    ],
    notes, writes, commands: [], attachments: [], restart,
    candidate: { env: candidate, managedProxy }, preflightFiles: [], noPreflightBecause: null, secrets, extraCheck: null,
  };
}
