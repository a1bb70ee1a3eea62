import { describeFailure, type Executor } from '../system/exec.ts';

/**
 * Tailscale Serve and Funnel as the local daemon has them. `tailscale serve
 * status --json` prints the serve config (`Web` handlers, `TCP` forwards,
 * `AllowFunnel`; `null` or `{}` when empty); `tailscale funnel status` marks
 * public hosts "(Funnel on)". The CLI may be missing or unable to reach its
 * daemon: that is reported, never an error.
 */
export interface ServeRoute {
  /** `https://host.ts.net/path` or `tcp://:443`. */
  front: string;
  target: string;
  funnel: boolean;
}

export interface TailscaleState {
  available: boolean;
  error: string | null;
  routes: ServeRoute[];
}

type Json = Record<string, unknown>;
const record = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? v as Json : {});

/** Routes from one serve config (the top level or a named Service's). */
function routesOf(config: Json, funnelHosts: Set<string>, prefix = ''): ServeRoute[] {
  const out: ServeRoute[] = [];
  const allow = record(config.AllowFunnel);
  for (const [hostPort, web] of Object.entries(record(config.Web))) {
    const funnel = allow[hostPort] === true || funnelHosts.has(hostPort.replace(/:443$/, ''));
    for (const [path, handler] of Object.entries(record(record(web).Handlers))) {
      const h = record(handler);
      const target = typeof h.Proxy === 'string' ? h.Proxy : typeof h.Path === 'string' ? `path ${h.Path}` : typeof h.Text === 'string' ? 'text' : 'unknown';
      out.push({ front: `${prefix}https://${hostPort.replace(/:443$/, '')}${path}`, target, funnel });
    }
  }
  for (const [port, tcp] of Object.entries(record(config.TCP))) {
    const forward = record(tcp).TCPForward;
    if (typeof forward === 'string') out.push({ front: `${prefix}tcp://:${port}`, target: forward, funnel: Object.keys(allow).some((k) => k.endsWith(`:${port}`) && allow[k] === true) });
  }
  return out;
}

/** Parses `tailscale serve status --json` (and the hosts `funnel status` says are public). */
export function parseServeStatus(json: string, funnelHosts: Set<string> = new Set()): ServeRoute[] {
  const text = json.trim();
  if (!text || text === 'null') return [];
  const root = record(JSON.parse(text));
  const routes = routesOf(root, funnelHosts);
  for (const [name, service] of Object.entries(record(root.Services))) routes.push(...routesOf(record(service), funnelHosts, `${name} `));
  return routes;
}

/** Hosts that `tailscale funnel status` (human form) marks `(Funnel on)`. */
export function parseFunnelStatus(text: string): Set<string> {
  const hosts = new Set<string>();
  for (const line of text.split('\n', 10_000)) {
    const match = /^(?:https?|tcp):\/\/([^\s/]+)\S*\s+\((?:Funnel on|public)\)/.exec(line.trim());
    if (match) hosts.add(match[1]!.replace(/:443$/, ''));
  }
  return hosts;
}

/** Whether a serve target is this gateway: a loopback URL or host:port on the gateway's port. */
export function targetsPort(target: string, port: number): boolean {
  const match = /^(?:[a-z+-]+:\/\/)?(\[[^\]]+\]|[^/:\s]+):(\d+)(?:\/|$)/i.exec(target.trim());
  if (!match) return false;
  const host = match[1]!.replace(/^\[|\]$/g, '').toLowerCase();
  return Number(match[2]) === port && (host === 'localhost' || host === '::1' || host.startsWith('127.'));
}

const APP_CLI = '/Applications/Tailscale.app/Contents/MacOS/Tailscale';

export async function readTailscale(exec: Executor, platform: NodeJS.Platform): Promise<TailscaleState> {
  const run = async (args: string[]) => {
    const first = await exec('tailscale', args, { timeoutMs: 4_000, maxBytes: 1024 * 1024 });
    // The Mac App Store and standalone apps ship the CLI inside the bundle, not on PATH.
    return !first.available && platform === 'darwin' ? exec(APP_CLI, args, { timeoutMs: 4_000, maxBytes: 1024 * 1024 }) : first;
  };
  const [serve, funnel] = await Promise.all([run(['serve', 'status', '--json']), run(['funnel', 'status'])]);
  if (!serve.available) return { available: false, error: 'tailscale is not installed', routes: [] };
  if (serve.code !== 0) return { available: true, error: describeFailure(serve), routes: [] };
  try {
    return { available: true, error: null, routes: parseServeStatus(serve.stdout, funnel.code === 0 ? parseFunnelStatus(funnel.stdout) : new Set()) };
  } catch (error) {
    return { available: true, error: `tailscale serve status --json gave output clawbar could not read (${(error as Error).message})`, routes: [] };
  }
}
