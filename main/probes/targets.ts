import { z } from 'zod';
import type { ProbeTarget } from '../contract.ts';
import type { GatewayInfo } from '../contract.ts';
import { InputError, UsageError } from '../system/errors.ts';
import { readBoundedFile } from '../system/files.ts';
import type { GatewayConfig } from '../service/openclaw-config.ts';
import { DEFAULT_PORTS } from './route.ts';

/** The hosts OpenClaw itself contacts, and the setting that turns each off. */
export const OPENCLAW_HOSTS = [
  { url: 'https://catalog.openclaw.ai/models/v1/catalog.json', name: 'OpenClaw model catalog', enabled: (c: GatewayConfig) => c.catalogRefresh },
  { url: 'https://telemetry.openclaw.ai/api/latest-version', name: 'OpenClaw update check', enabled: (c: GatewayConfig) => c.updateCheckOnStart },
  { url: 'https://clawhub.ai/v1/feeds/plugins', name: 'ClawHub plugin feed', enabled: () => true },
];

/** One row of the egress allowlist: the seeds' standard firewall-ticket row. */
export const AllowlistRow = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(443),
  tls: z.boolean().default(true),
  sni: z.string().optional(),
  path: z.string().startsWith('/').default('/'),
  owner: z.string().optional(),
  rotationContact: z.string().optional(),
  pii: z.boolean().default(false),
  purpose: z.string().optional(),
});
export type AllowlistRow = z.infer<typeof AllowlistRow>;
const Allowlist = z.object({ egress: z.array(AllowlistRow) });

/** Reads the operator's allowlist (YAML). A missing file is an empty list; a broken one is an InputError. */
export async function loadAllowlist(path: string): Promise<AllowlistRow[]> {
  let text: string;
  try {
    // A few hundred rows at most; yaml's cost grows faster than its input on hostile text, so the bound is tight.
    text = (await readBoundedFile(path, 64 * 1024)).toString('utf8');
  } catch (error) {
    if (error instanceof InputError && /no such file/.test(error.message)) return [];
    throw error;
  }
  // An allowlist is two levels deep; deeper nesting only ever comes from hostile text, which exhausts yaml's recursion.
  let flow = 0;
  for (const [index, line] of text.split('\n').entries()) {
    const deepBlock = /^[ \t]{64}|^\s*(?:[-?:][ \t]+){4}/.test(line);
    for (const c of line) flow = c === '[' || c === '{' ? flow + 1 : c === ']' || c === '}' ? Math.max(0, flow - 1) : flow;
    if (deepBlock || flow > 16) throw new InputError(`${path} is not a usable allowlist: line ${index + 1} nests deeper than an allowlist needs`, path);
  }
  let data: unknown;
  try {
    // stringKeys refuses `? [..]` keys (stringifying them is super-linear), maxAliasCount refuses alias bombs,
    // no duplicate-key check (it compares every pair) and no pretty errors (each copies its line).
    // Loaded here, not at the top: most runs have no allowlist file, and YAML is 70 modules of start-up.
    const { parse: parseYaml } = await import('yaml');
    data = parseYaml(text, { stringKeys: true, maxAliasCount: 100, uniqueKeys: false, prettyErrors: false });
  } catch (error) {
    throw new InputError(`${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, path);
  }
  const parsed = Allowlist.safeParse(data ?? { egress: [] });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`${path}: ${issue.path.join('.')}: ${issue.message}`, path);
  }
  return parsed.data.egress;
}

export function allowlistTarget(row: AllowlistRow): ProbeTarget {
  const host = row.host.includes(':') ? `[${row.host}]` : row.host;
  return { url: `${row.tls ? 'https' : 'http'}://${host}:${row.port}${row.path}`, kind: 'allowlist', name: row.purpose ?? row.owner ?? null, sni: row.sni ?? null, pin: null };
}

/** The targets a daemon's configuration implies: its own endpoints, its providers, OpenClaw's hosts, the allowlist. */
export function defaultTargets(gateway: GatewayInfo, config: GatewayConfig, allowlist: AllowlistRow[]): ProbeTarget[] {
  const t = (url: string, kind: ProbeTarget['kind'], name: string | null): ProbeTarget => ({ url, kind, name, sni: null, pin: null });
  return [
    t(gateway.healthUrl, 'gateway-health', 'gateway health'),
    t(gateway.readyUrl, 'gateway-ready', 'gateway readiness'),
    t(gateway.wsUrl, 'gateway-ws', 'gateway WebSocket'),
    ...config.providerBaseUrls.map((p) => t(p.url, 'provider', p.id)),
    ...OPENCLAW_HOSTS.filter((h) => h.enabled(config)).map((h) => t(h.url, 'openclaw', h.name)),
    ...allowlist.map(allowlistTarget),
  ];
}

/** Parses --target URL values. */
export function parseTargetUrl(value: string): ProbeTarget {
  // A target may carry a credential in its query or user info, so a refusal never echoes the value.
  let url: URL;
  try { url = new URL(value); } catch { throw new UsageError('--target is not a URL (expected http, https, ws or wss://host[:port]/path)'); }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) throw new UsageError(`--target ${url.protocol}//${url.host}: use http, https, ws or wss`);
  return { url: url.href, kind: 'custom', name: null, sni: null, pin: null };
}

/** Applies curl-style `--resolve HOST:PORT:ADDR[,ADDR]` pins to matching targets. */
export function applyPins(targets: ProbeTarget[], pins: string[]): ProbeTarget[] {
  const parsed = pins.map((pin) => {
    const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5}):(.+)$/.exec(pin);
    if (!match) throw new UsageError(`--resolve ${pin}: expected HOST:PORT:ADDR`);
    const addresses = match[3]!.split(',').map((a) => a.trim().replace(/^\[|\]$/g, ''));
    if (addresses.some((a) => !/^[0-9a-fA-F:.]+$/.test(a))) throw new UsageError(`--resolve ${pin}: ADDR must be IP addresses`);
    return { host: match[1]!.replace(/^\[|\]$/g, '').toLowerCase(), port: Number(match[2]), addresses: addresses.join(',') };
  });
  return targets.map((target) => {
    const url = new URL(target.url);
    const port = Number(url.port) || DEFAULT_PORTS[url.protocol]!;
    const pin = parsed.find((p) => p.host === url.hostname.replace(/^\[|\]$/g, '').toLowerCase() && p.port === port);
    return pin ? { ...target, pin: pin.addresses } : target;
  });
}

export interface TargetChoice {
  /** `--target` URLs; when given they are the whole list. */
  explicit: string[];
  /** `--resolve HOST:PORT:ADDR` pins, applied last. */
  pins: string[];
  /** The operator's allowlist file (`files.allowlist`). */
  allowlistPath: string;
  gateway: GatewayInfo;
  config: GatewayConfig;
}

/**
 * The one place targets are chosen: explicit targets, else the gateway's own
 * endpoints, what its config implies and the allowlist; then `--resolve` pins.
 */
export async function selectTargets(choice: TargetChoice): Promise<ProbeTarget[]> {
  const explicit = choice.explicit.map(parseTargetUrl);
  const targets = explicit.length > 0 ? explicit : defaultTargets(choice.gateway, choice.config, await loadAllowlist(choice.allowlistPath));
  return applyPins(targets, choice.pins);
}
