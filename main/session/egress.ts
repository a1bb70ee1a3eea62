import { worstSeverity, type EgressReport, type Finding } from '../contract.ts';
import { emptyObservations, mergeSample, type Sample } from '../glance/egress.ts';
import { buildNameBook, gatewayRoots, reverseNamer, takeSample, type HostPort } from '../glance/egress-sample.ts';
import { decideRoute, DEFAULT_PORTS } from '../probes/route.ts';
import { allowlistTarget, defaultTargets, loadAllowlist, type AllowlistRow } from '../probes/targets.ts';
import { compareWithAllowlist } from '../report/allowlist-observed.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import { EGRESS_RETAIN_MS, loadEgress, updateEgress } from '../store/egress-store.ts';
import type { World } from '../world.ts';

/** Samples at most once a second, and at most this many per observation: lsof is cheap, not free. */
export const MIN_INTERVAL_MS = 1_000;
export const MAX_SAMPLES = 86_400;
/** A long observation saves its counts this often, so an interrupted one keeps what it saw. */
const SAVE_EVERY = 30;

const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY'];

/** The proxies the daemon may use: OpenClaw's managed proxy and the proxy variables in its environment. */
function proxyUrls(service: ServiceEnvironment): string[] {
  return [service.managedProxy?.url, ...PROXY_VARIABLES.map((name) => service.env[name])].filter((u): u is string => Boolean(u?.trim()));
}

/** Hosts and ports the daemon's config implies (providers, OpenClaw's own hosts). */
function configHosts(service: ServiceEnvironment): HostPort[] {
  return defaultTargets(service.facts.gateway, service.config, []).filter((t) => t.kind === 'provider' || t.kind === 'openclaw').map((t) => {
    const url = new URL(t.url);
    return { host: url.hostname, port: Number(url.port) || DEFAULT_PORTS[url.protocol] || 443 };
  });
}

export const rowViaProxy = (service: ServiceEnvironment) => (row: AllowlistRow) => decideRoute(new URL(allowlistTarget(row).url), service.env, service.managedProxy).via === 'proxy';

export interface ObserveRequest {
  durationMs: number;
  intervalMs: number;
  onSample?: (done: number, total: number, connections: number) => void;
}

/**
 * Egress observation for one service: a sampler that remembers the sockets of
 * its previous sample (so a long-lived connection counts once) and merges
 * each sample into the kept window. The watcher keeps one and calls `sampleAndKeep`
 * on its own schedule; `clawbar egress observe` runs `observe`.
 */
export class EgressSampler {
  private previous = new Set<string>();
  private readonly reverse: ReturnType<typeof reverseNamer>;
  private book: Promise<Awaited<ReturnType<typeof buildNameBook>>> | null = null;
  private readonly world: World;
  private current: ServiceEnvironment;
  pids: number[] = [];

  constructor(world: World, service: ServiceEnvironment) {
    this.world = world;
    this.current = service;
    this.reverse = reverseNamer({ now: () => world.now().getTime() });
  }

  get service(): ServiceEnvironment { return this.current; }

  /**
   * The service read again (the watcher does every few minutes): its names
   * are looked up afresh (allowlist edits, rotated addresses), while the
   * sockets of the last sample stay remembered, so a connection that lives
   * across the re-read still counts once.
   */
  follow(service: ServiceEnvironment): this {
    if (service !== this.current) {
      this.current = service;
      this.book = null;
    }
    return this;
  }

  private async names() {
    this.book ??= loadAllowlist(this.world.files.allowlist).catch(() => []).then((rows) => buildNameBook(rows.map((r) => ({ host: r.host, port: r.port })), configHosts(this.service), proxyUrls(this.service)));
    return this.book;
  }

  /** One sample of the tree's connections; 'no-gateway' when it is not running, null when lsof cannot look. */
  private async take(): Promise<Sample | null | 'no-gateway'> {
    const roots = await gatewayRoots(this.world.exec, this.service.facts);
    if (roots.length === 0) return 'no-gateway';
    const taken = await takeSample(this.world.exec, roots, await this.names(), this.reverse, this.world.now);
    if (taken) this.pids = taken.pids;
    return taken?.sample ?? null;
  }

  /** One sample, merged into the kept window in the store (the watcher's call): the connections seen, or why there was nothing to see. */
  async sampleAndKeep(): Promise<number | 'no-gateway' | 'unavailable'> {
    const sample = await this.take();
    if (sample === 'no-gateway') return sample;
    if (sample === null) return 'unavailable';
    const previous = this.previous;
    await updateEgress(this.world.files.egressObservations, (kept) => {
      const merged = mergeSample(kept, sample, previous, EGRESS_RETAIN_MS);
      this.previous = merged.sockets;
      return merged.kept;
    });
    return sample.connections.length;
  }

  /** Samples for `durationMs` every `intervalMs` (bounded), keeping the counts; the report of this observation. */
  async observe(request: ObserveRequest): Promise<EgressReport> {
    const { world } = this;
    const path = world.files.egressObservations;
    const intervalMs = Math.max(MIN_INTERVAL_MS, request.intervalMs);
    const total = Math.min(MAX_SAMPLES, Math.max(1, Math.floor(request.durationMs / intervalMs) + 1));
    const startedAt = world.now();
    const started = performance.now();
    // Merged into the file as it is when saved (the watcher may have added samples meanwhile), each with the sockets of the sample before it.
    let unsaved: Array<{ sample: Sample; previous: Set<string> }> = [];
    const save = async () => {
      const merging = unsaved;
      unsaved = [];
      return updateEgress(path, (kept) => merging.reduce((k, { sample, previous }) => mergeSample(k, sample, previous, EGRESS_RETAIN_MS).kept, kept));
    };
    let mine = emptyObservations();
    const findings: Finding[] = [];
    let samples = 0;
    for (let i = 0; i < total; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + i * intervalMs - performance.now())));
      const sample = await this.take();
      if (sample === 'no-gateway' || sample === null) {
        findings.push(sample === 'no-gateway'
          ? { id: 'egress.no-gateway', severity: 'critical', title: 'The gateway is not running: there is nothing to observe', fix: 'Start the gateway, then observe again', remedy: null }
          : { id: 'egress.unavailable', severity: 'warn', title: "lsof could not list the gateway's sockets", fix: 'Install lsof, or run clawbar as the user the gateway runs as (or root)', remedy: null });
        break;
      }
      const merged = mergeSample(mine, sample, this.previous, EGRESS_RETAIN_MS);
      unsaved.push({ sample, previous: this.previous });
      mine = merged.kept;
      this.previous = merged.sockets;
      samples++;
      request.onSample?.(samples, total, sample.connections.length);
      if (samples % SAVE_EVERY === 0) await save();
    }
    const kept = samples > 0 ? await save() : await loadEgress(path);
    const rows = await loadAllowlist(world.files.allowlist).catch(() => []);
    const compared = compareWithAllowlist(rows, mine, rowViaProxy(this.service));
    if (rows.length > 0 && compared && compared.seenNotAllowlisted.length > 0) {
      findings.push({ id: 'egress.not-allowlisted', severity: 'warn', title: `The gateway connected to ${compared.seenNotAllowlisted.length} destination(s) that no allowlist row covers`, detail: compared.seenNotAllowlisted.slice(0, 5).map((d) => `${d.names[0] ?? d.address}:${d.port}`).join(', '), fix: 'Add them to allowlist.yaml (and the firewall ticket: clawbar report --allowlist)', remedy: null });
    }
    return {
      schema: 'clawbar.egress-observe/1', overall: worstSeverity(findings), startedAt: startedAt.toISOString(), durationMs: Math.round(performance.now() - started),
      intervalMs, samples, pids: this.pids, observed: mine.destinations, kept, findings,
    };
  }
}
