import type { Layer } from '../contract.ts';

/**
 * Classifies the gateway's own JSON-lines log records into the probe layers
 * (TLS trust, name and clock, DNS, refused, timeout, proxy and proxy auth,
 * rate limits) and names the host each is about. Pure: the reader hands
 * records over, the store counts what this returns. Nothing of a record's
 * text leaves this file but a layer and a host name.
 *
 * One failure is counted once, where it happened: OpenClaw echoes a failed
 * provider call in several records (the embedded run's end, its retries, the
 * lane error, the fallback decision, the HTTP API's answer); those echoes
 * are skipped, the transport's own record (`[model-fetch] …`) is counted.
 */

export interface LogContext {
  /** The host a provider id's baseUrl names (`[model-fetch] error provider=ID`). */
  providerHost: (id: string) => string | null;
  /** Whether the daemon reaches this host through a proxy (its own rule: managed proxy, then env). */
  viaProxy: (host: string) => boolean;
}

export interface Classified { layer: Layer; host: string }

/** Subsystems that repeat a failure the transport already logged. */
const ECHOES = new Set(['agent/embedded', 'diagnostic', 'model-fallback/decision', 'model-fallback', 'openai-compat', 'openresponses-compat']);
/** Subsystems whose network errors are about one well-known host. */
const SUBSYSTEM_HOSTS: Record<string, string> = { 'channels/telegram': 'api.telegram.org', 'channels/discord': 'discord.com', 'channels/slack': 'slack.com' };
const MESSAGE_HOSTS: Array<[RegExp, string]> = [[/model catalog refresh/i, 'catalog.openclaw.ai'], [/update check|latest-version/i, 'telemetry.openclaw.ai'], [/clawhub/i, 'clawhub.ai']];

/** A status code where the text says it is one (not `elapsedMs=407`). */
const status = (code: number) => new RegExp(`(?:\\bstatus(?:Code)?[=: "]+|HTTP/\\d(?:\\.\\d)? |\\bresponse \\(|httpCode[=: "]+|\\bHTTP |(?:^|[\\s"'(:])(?=${code} (?:[A-Z]|status code)))${code}\\b`);

const RULES: Array<[Layer, RegExp]> = [
  ['proxy-auth', /Proxy Authentication Required|proxy authentication|\bProxy response \(407\)/i],
  ['tls-clock', /CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|certificate has expired|certificate is not yet valid/i],
  ['tls-name', /ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames|Hostname\/IP does not match/i],
  ['tls-trust', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_UNTRUSTED|unable to verify the first certificate|self[- ]signed certificate/i],
  ['tls-protocol', /ERR_SSL_WRONG_VERSION_NUMBER|ERR_SSL_UNSUPPORTED_PROTOCOL|TLSV1_ALERT_PROTOCOL_VERSION|wrong version number|unsupported protocol/i],
  ['dns', /\bENOTFOUND\b|\bEAI_AGAIN\b|\bEAI_NONAME\b|getaddrinfo/i],
  ['proxy', /Proxy CONNECT failed|\bproxyconnect\b|tunnel(?:ing)? (?:connection )?failed|Proxy response \(\d{3}\)/i],
  ['refused', /\bECONNREFUSED\b|connection refused/i],
  ['timeout', /\bETIMEDOUT\b|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|Connect Timeout Error|\bESOCKETTIMEDOUT\b/i],
  ['rate-limit', /Too Many Requests|failoverReason[": ]+(?:rate_limit|overloaded)/i],
];
const STATUS_LAYERS: Array<[number, Layer | 'proxy-or-http']> = [[407, 'proxy-auth'], [429, 'rate-limit'], [503, 'rate-limit'], [502, 'proxy-or-http']];
/** A transport failure with no code in it: what OpenClaw logs when a proxy refuses the tunnel (`causeCode=number`) or a channel's request fails. */
const GENERIC = /\bfetch failed\b|Connection error\.|Network request for '[^']*' failed|network connection error/i;
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,62})\.?)+$|^[0-9a-f:.]+$/i;

/** OpenClaw logs some failures at INFO (the catalog refresh), so only its chatter levels are skipped. */
const QUIET_LEVELS = new Set(['DEBUG', 'TRACE', 'SILLY']);

function subsystemOf(record: Record<string, unknown>): string {
  const first = record['0'];
  if (typeof first === 'string' && first.startsWith('{')) {
    try { const parsed = JSON.parse(first) as { subsystem?: unknown; module?: unknown }; return String(parsed.subsystem ?? parsed.module ?? ''); } catch { /* not JSON */ }
  }
  return '';
}

/** The record's text: the flattened message, else its string arguments and their string fields (bounded). */
function textOf(record: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof record.message === 'string') parts.push(record.message);
  for (let i = 1; i < 6; i++) {
    const value = record[String(i)];
    if (typeof value === 'string' && parts.length === 0) parts.push(value);
    else if (value && typeof value === 'object') for (const v of Object.values(value).slice(0, 40)) if (typeof v === 'string' || typeof v === 'number') parts.push(String(v));
  }
  return parts.join(' ').slice(0, 8192);
}

const clean = (host: string | null | undefined) => {
  const h = (host ?? '').toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return h && h.length <= 253 && HOST.test(h) ? h : null;
};

function hostOf(text: string, subsystem: string, context: LogContext): string {
  const provider = /\[model-fetch\] \w+ provider=([\w.-]+)/.exec(text)?.[1];
  const candidates = [
    provider ? context.providerHost(provider) : null,
    /\bgetaddrinfo (?:ENOTFOUND|EAI_AGAIN) ([^\s,)]+)/.exec(text)?.[1],
    /\b(?:ECONNREFUSED|ETIMEDOUT) \[?([0-9a-f:.]+?)\]?:\d+/i.exec(text)?.[1],
    /\bCONNECT (?:failed via )?([a-z0-9.-]+):\d+/i.exec(text)?.[1],
    // The first URL that is not the proxy's (`Proxy CONNECT failed via http://proxy:3128`).
    [...text.matchAll(/(\bvia )?\b(?:https?|wss?):\/\/(?:[^@/\s]*@)?(\[[0-9a-f:.]+\]|[a-z0-9.-]+)/gi)].find((m) => !m[1])?.[2],
    SUBSYSTEM_HOSTS[subsystem],
    MESSAGE_HOSTS.find(([re]) => re.test(text))?.[1],
  ];
  for (const candidate of candidates) { const host = clean(candidate); if (host) return host; }
  return 'unknown';
}

/** The layer and host of one record, or null when it is not a network error the probe layers describe. */
export function classifyRecord(record: Record<string, unknown>, context: LogContext): Classified | null {
  const meta = record._meta as { logLevelName?: unknown } | undefined;
  const level = typeof meta?.logLevelName === 'string' ? meta.logLevelName.toUpperCase() : '';
  const subsystem = subsystemOf(record);
  const text = textOf(record);
  const transport = /\[model-fetch\] (?:error|response)/.test(text);
  if (!transport && (ECHOES.has(subsystem) || QUIET_LEVELS.has(level))) return null;
  const host = hostOf(text, subsystem, context);
  for (const [layer, re] of RULES) if (re.test(text)) return { layer, host };
  for (const [code, layer] of STATUS_LAYERS) {
    if (!status(code).test(text)) continue;
    return { layer: layer === 'proxy-or-http' ? (context.viaProxy(host) ? 'proxy' : 'http') : layer, host };
  }
  // No code in the record: a refusal on the way to a proxied host is the proxy's layer; elsewhere it says too little.
  if ((GENERIC.test(text) || /causeCode=number/.test(text)) && host !== 'unknown' && context.viaProxy(host)) return { layer: 'proxy', host };
  return null;
}
