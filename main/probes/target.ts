import type { ProbeResult, ProbeTarget } from '../contract.ts';
import { classifyFailure, classifyStatus } from './classify.ts';
import { probeDns } from './dns.ts';
import { probeHttp } from './http.ts';
import { probeProxy } from './proxy.ts';
import { decideRoute, DEFAULT_PORTS, normalisedHost, type ManagedProxy } from './route.ts';
import { elapsed, ProbeFailure, type ProbeState } from './state.ts';
import { probeTcp } from './tcp.ts';
import { probeTls } from './tls.ts';
import { probeWebSocket } from './websocket.ts';

export interface ProbeOptions {
  env: Record<string, string | undefined>;
  managedProxy: ManagedProxy | null;
  dnsServers: string[];
  compareResolvers?: Record<string, string[]>;
  timeoutMs: number;
  progress?: (target: string, phase: string) => void;
}

/**
 * Probes one target through its phases — DNS (or proxy), TCP per family,
 * CONNECT, TLS, HTTP or WebSocket — and returns one result with per-phase
 * timings and, on failure, exactly one layer. Never throws.
 */
export async function probeTarget(target: ProbeTarget, options: ProbeOptions): Promise<ProbeResult> {
  const url = new URL(target.url);
  const started = performance.now();
  const route = decideRoute(url, options.env, options.managedProxy);
  const state: ProbeState = {
    target, url,
    host: normalisedHost(url),
    port: Number(url.port) || DEFAULT_PORTS[url.protocol] || 0,
    secure: url.protocol === 'https:' || url.protocol === 'wss:',
    websocket: url.protocol === 'ws:' || url.protocol === 'wss:',
    timeoutMs: options.timeoutMs,
    dnsServers: options.dnsServers,
    compareResolvers: options.compareResolvers?.[normalisedHost(url)] ?? [],
    route, started, socket: null, addresses: [],
    progress: (phase) => options.progress?.(target.url, phase),
    result: {
      target: target.url, name: target.name, kind: target.kind,
      phases: { dnsMs: null, connectMs: null, proxyConnectMs: null, tlsMs: null, ttfbMs: null, totalMs: 0 },
      via: route.via === 'proxy' ? 'proxy' : 'direct',
      route: { proxy: route.proxy, rule: route.rule },
      family: null, address: null, dns: null, families: [], proxyStatus: null, tls: null, http: null, websocket: null, ready: null, notes: [],
    },
  };
  const finish = (verdict: Pick<ProbeResult, 'ok' | 'layer' | 'explanation' | 'fix'>, error: ProbeResult['error']): ProbeResult => {
    state.socket?.destroy();
    state.result.phases.totalMs = elapsed(started);
    return { ...state.result, ...verdict, error };
  };
  try {
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) throw new ProbeFailure('connect', 'EUNSUPPORTED', `unsupported scheme ${url.protocol}`);
    if (route.via === 'blocked') throw new ProbeFailure('proxy', 'BLOCKED', route.rule);
    if (route.via === 'proxy') await probeProxy(state);
    else {
      await probeDns(state);
      await probeTcp(state);
    }
    if (state.secure) await probeTls(state);
    if (state.websocket) {
      await probeWebSocket(state);
      return finish({ ok: true, layer: null, explanation: null, fix: null }, null);
    }
    await probeHttp(state);
    const verdict = classifyStatus(state.result.http!.status, target, state.httpBody, state.result.http!.server);
    return finish(verdict, verdict.ok ? null : { code: `HTTP_${state.result.http!.status}`, message: `HTTP ${state.result.http!.status}` });
  } catch (error) {
    const failure = error instanceof ProbeFailure ? error : new ProbeFailure('connect', 'ERROR', (error as Error).message);
    const verdict = classifyFailure(failure, state.result, target);
    return finish(verdict, { code: failure.code, message: failure.message });
  }
}

/**
 * Probes in flight at once. A suite of a few dozen targets still takes about
 * as long as its slowest probe, while a long allowlist neither opens hundreds
 * of sockets (two per dual-stack target, against macOS's default limit of 256
 * descriptors) nor sends a corporate proxy more tunnels at once than its
 * per-client limit is likely to allow.
 */
export const MAX_PROBES_IN_FLIGHT = 32;

/**
 * Runs the targets concurrently, at most MAX_PROBES_IN_FLIGHT at a time;
 * each probe has its own deadline. Results come back in target order.
 */
export async function probeAll(targets: ProbeTarget[], options: ProbeOptions, onResult?: (result: ProbeResult) => void): Promise<ProbeResult[]> {
  const results: ProbeResult[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < targets.length; i = next++) {
      results[i] = await probeTarget(targets[i]!, options);
      onResult?.(results[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAX_PROBES_IN_FLIGHT, targets.length) }, worker));
  return results;
}
