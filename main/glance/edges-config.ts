import JSON5 from 'json5';
import { readBoundedFile } from '../system/files.ts';

/**
 * The settings of openclaw.json that open ways in beyond the gateway's own
 * port: Bonjour, managed Tailscale ingress and the browser's DevTools ports.
 * The service reader keeps only what the probes need, so these are read here.
 */
export interface EdgeConfig {
  mdnsMode: 'off' | 'minimal' | 'full';
  mdnsModeSet: boolean;
  tailscaleMode: 'off' | 'serve' | 'funnel';
  /** `browser.profiles.<name>.cdpPort` and the legacy `browser.cdpUrl` port on this Mac. */
  cdpPorts: number[];
}

const DEFAULTS: EdgeConfig = { mdnsMode: 'minimal', mdnsModeSet: false, tailscaleMode: 'off', cdpPorts: [] };

const record = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {});
const validPort = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 65536;

function localPort(url: unknown): number | null {
  if (typeof url !== 'string') return null;
  try {
    const parsed = new URL(url);
    if (!['127.0.0.1', 'localhost', '[::1]', '0.0.0.0'].includes(parsed.hostname)) return null;
    const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
    return validPort(port) ? port : null;
  } catch { return null; }
}

/** Extracts the edge settings from parsed config (pure, for tests). */
export function readEdgeConfig(data: unknown): EdgeConfig {
  const root = record(data);
  const mdns = record(record(root.discovery).mdns).mode;
  const tailscale = record(record(root.gateway).tailscale).mode;
  const browser = record(root.browser);
  const ports = new Set<number>();
  for (const profile of Object.values(record(browser.profiles))) {
    const p = record(profile);
    if (validPort(p.cdpPort)) ports.add(p.cdpPort);
    const fromUrl = localPort(p.cdpUrl);
    if (fromUrl !== null) ports.add(fromUrl);
  }
  const legacy = localPort(browser.cdpUrl);
  if (legacy !== null) ports.add(legacy);
  return {
    mdnsMode: mdns === 'off' || mdns === 'full' || mdns === 'minimal' ? mdns : 'minimal',
    mdnsModeSet: typeof mdns === 'string',
    tailscaleMode: tailscale === 'serve' || tailscale === 'funnel' ? tailscale : 'off',
    cdpPorts: [...ports].sort((a, b) => a - b),
  };
}

/** Reads the edge settings; a missing or broken file gives OpenClaw's defaults (the service findings report a broken config). */
export async function loadEdgeConfig(path: string): Promise<EdgeConfig> {
  try {
    return readEdgeConfig(JSON5.parse((await readBoundedFile(path)).toString('utf8')));
  } catch {
    return { ...DEFAULTS };
  }
}
