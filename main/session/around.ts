import type { DownVerdict, EdgesReport, HealthReport, ListenersReport, ProbeReport } from '../contract.ts';
import { gatherDownFacts } from '../glance/down-facts.ts';
import { decideDown } from '../glance/down-verdict.ts';
import { inspectEdges } from '../glance/edges.ts';
import { isLateEdge } from '../glance/edges-proxy.ts';
import type { ServiceEnvironment } from '../service/environment.ts';
import type { World } from '../world.ts';

/** Unchanged listeners are asked again after this long (tunnels and Tailscale routes change without a listener). */
export const EDGES_MAX_AGE_MS = 300_000;

export interface AroundNow {
  service: ServiceEnvironment | null;
  health: HealthReport | null;
}

/**
 * What the app shows of `clawbar edges` and the down verdict. The app asks
 * for it while building its state (a plain read of what is kept); the looks
 * themselves run inside the listener check, so they follow its schedule,
 * stop while the Mac sleeps and are awaited when the app stops. A caller
 * that never asks (the CLI) never pays for them. The verdict exists only
 * while the gateway is down.
 */
export class AroundLook {
  private edges: EdgesReport | null = null;
  private verdict: DownVerdict | null = null;
  private now: AroundNow | null = null;
  private lastKey = '';
  private lastEdgesAt = -Infinity;
  private readonly world: World;
  private readonly lastProbe: () => Promise<ProbeReport | null>;

  constructor(world: World, lastProbe: () => Promise<ProbeReport | null>) {
    this.world = world;
    this.lastProbe = lastProbe;
  }

  /** Notes the caller's service and health, and returns the last looks. */
  get(now: AroundNow): { edges: EdgesReport | null; verdict: DownVerdict | null } {
    this.now = now;
    const down = now.health?.state === 'down';
    return { edges: this.edges, verdict: down ? this.verdict : null };
  }

  /** After a listener scan: the ways in again, and why the gateway is down when it is. Failures keep the last look. */
  async refresh(listeners: ListenersReport): Promise<void> {
    const service = this.now?.service;
    if (!service) return;
    const { exec, platform } = this.world;
    const down = this.now?.health?.state === 'down';
    // The edges are asked again when the listeners changed, when the gateway started or stopped answering (an edge
    // asked while it was starting answered nothing worth keeping), or when the last look is old; a quiet Mac is not
    // probed every scan.
    const answering = this.now?.health ? this.now.health.state === 'ok' || this.now.health.state === 'degraded' : null;
    const key = `${answering} ${listeners.items.map((l) => `${l.pid}/${l.address}/${l.port}`).sort().join(' ')}`;
    const at = this.world.now().getTime();
    // A look in which an edge ran out of time (a busy Mac) knows nothing of it: the next scan asks again.
    const inconclusive = this.edges?.unavailable.some(isLateEdge) ?? false;
    const edgesDue = key !== this.lastKey || inconclusive || at - this.lastEdgesAt >= EDGES_MAX_AGE_MS;
    if (edgesDue) { this.lastKey = key; this.lastEdgesAt = at; }
    const [edges, facts] = await Promise.all([
      edgesDue ? inspectEdges({ exec, platform, service: service.facts, env: service.env, listeners: listeners.items, now: this.world.now() }).catch(() => null) : null,
      down ? this.lastProbe().then((lastProbe) => gatherDownFacts({ exec, service: service.facts, listeners: listeners.items, lastProbe })).catch(() => null) : null,
    ]);
    if (edges) this.edges = edges;
    this.verdict = facts ? decideDown(facts) : down ? this.verdict : null;
  }
}
