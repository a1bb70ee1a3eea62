import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Finding } from '../contract.ts';
import type { AgentState } from '../ipc-contract.ts';
import type { Notifier, Settings } from '../settings-schema.ts';
import { notifierName, outgoing, repostMs, testPage, type Page } from './bodies.ts';
import { step, unsettled, type Track, type Transition } from './debounce.ts';
import { observe } from './observe.ts';
import { Outbox, type Backoff } from './outbox.ts';
import { checkOfKey, ruleFor } from './rules.ts';
import { Transport, type DaemonNet, type SendResult } from './transport.ts';

export interface PagerContext {
  now: () => Date;
  /** Pages are an exit: every body passes the world's redactor. */
  redact: <T>(value: T) => T;
  /** One line in pages.jsonl (the store redacts it again on the way in). */
  log: (record: Record<string, unknown>) => void;
  /** The daemon's environment and managed proxy, for the route and trust of every page. */
  net: () => DaemonNet | null;
  /** Why pages are held back right now (operator pause, a fix restarting the gateway, OpenClaw starting or draining), or null. */
  maintenance: (state: AgentState) => Promise<string | null>;
  loadTracks: () => Promise<Record<string, Track>>;
  saveTracks: (tracks: Record<string, Track>) => Promise<void>;
  backoff?: Backoff;
}

/**
 * Turns the agent's looks into pages: each paged check is debounced
 * (debounce.ts, rules.ts), a transition becomes one page per notifier through
 * the outbox (never awaited by a check), maintenance holds pages back (logged,
 * and a firing still true when maintenance ends goes out then), Alertmanager
 * alerts are re-posted while firing, and the heartbeat is called every cycle.
 * Inactive — no tracking at all — while no notifier and no heartbeat is set.
 */
export class Pager {
  private settings: Settings | null = null;
  private tracks = new Map<string, Track>();
  private loaded: Promise<void> | null = null;
  private held: string | null = null;
  private readonly reposted = new Map<string, number>();
  /** The firing page's trace id, so its re-posts and reminders name the same one. */
  private readonly traces = new Map<string, string>();
  private readonly transport = new Transport();
  private readonly outbox: Outbox;
  private readonly ctx: PagerContext;

  constructor(ctx: PagerContext) {
    this.ctx = ctx;
    this.outbox = new Outbox({ send: (request) => this.transport.send(request, ctx.net()), log: (record) => ctx.log({ event: 'delivery', ...record }), backoff: ctx.backoff });
  }

  configure(settings: Settings): void {
    this.settings = settings;
  }

  get active(): boolean {
    const paging = this.settings?.paging;
    return !!paging && (paging.notifiers.length > 0 || paging.heartbeatUrl !== null);
  }

  private get node(): string { return this.settings?.paging.node || hostname(); }

  /** Feeds one agent check's result in; true when a paged check is unsettled and deserves a second look soon. */
  async checked(ran: string, state: AgentState, fixFindings: Finding[] = []): Promise<boolean> {
    if (!this.active || !this.settings) return false;
    this.loaded ??= this.ctx.loadTracks().then((saved) => { this.tracks = new Map(Object.entries(saved)); }, () => undefined);
    await this.loaded;
    const now = this.ctx.now();
    const looks = observe(ran, state, this.settings, now.getTime(), [...this.tracks.keys()], fixFindings);
    if (looks.length === 0) return false;
    const reason = await this.ctx.maintenance(state);
    if (reason !== this.held) this.ctx.log({ event: reason ? 'maintenance-start' : 'maintenance-end', reason: reason ?? this.held });
    this.held = reason;
    let dirty = false;
    for (const look of looks) {
      const { track, transition } = step(this.tracks.get(look.key), look, ruleFor(checkOfKey(look.key), this.settings.paging));
      this.tracks.set(look.key, track);
      if (transition) {
        dirty = true;
        this.page(look.key, track, transition, reason);
      }
    }
    // Whenever nothing holds pages back — also after a restart or a handover inside a window, when this process never saw it end.
    if (reason === null) dirty = this.flushHeld() || dirty;
    if (dirty) await this.ctx.saveTracks(Object.fromEntries(this.tracks)).catch(() => undefined);
    return looks.some((look) => unsettled(this.tracks.get(look.key)));
  }

  /**
   * Pages maintenance held back, now it is over: a firing for a check still
   * failing, and a resolved for a check whose firing page went out and that
   * recovered meanwhile (a config change that restarts the gateway often
   * resolves inside OpenClaw's own drain) — else the receiver would see it
   * firing for ever.
   */
  private flushHeld(): boolean {
    let sent = false;
    for (const [key, track] of this.tracks) {
      const firing = (track.status === 'firing' || track.status === 'recovering') && !track.notified;
      const resolved = track.status === 'ok' && track.notified;
      if (firing || resolved) {
        this.page(key, track, firing ? 'firing' : 'resolved', null);
        sent = true;
      }
    }
    return sent;
  }

  private build(key: string, track: Track, event: Transition): Page {
    const [check, layer] = key.split('/');
    const resolved = event === 'resolved';
    const now = this.ctx.now().toISOString();
    return {
      event, node: this.node, check: check!, layer: layer ?? null, from: resolved ? track.badState : track.okState, to: resolved ? track.last.state : track.badState,
      since: new Date(resolved ? track.streakSince : track.failingSince ?? track.streakSince).toISOString(),
      startedAt: new Date(track.failingSince ?? track.streakSince).toISOString(),
      detail: track.last.detail, fix: resolved ? null : track.last.fix, severity: track.last.severity, traceId: track.last.traceId ?? (event === 'resolved' ? null : this.traces.get(key)) ?? randomUUID(), time: now,
    };
  }

  private page(key: string, track: Track, event: Transition, held: string | null): void {
    const settings = this.settings!;
    const page = this.ctx.redact(this.build(key, track, event));
    if (event === 'firing') this.traces.set(key, page.traceId);
    const base = { check: page.check, layer: page.layer, transition: event, from: page.from, to: page.to, since: page.since, detail: page.detail, traceId: page.traceId };
    if (event === 'resolved' && !track.notified) {
      this.ctx.log({ event: 'page', ...base, outcome: 'not-sent', reason: 'its firing page was never sent' });
      return;
    }
    if (held) {
      // A held firing is owed while the check fails; a held resolved stays owed (notified) until maintenance ends.
      if (event === 'firing') track.notified = false;
      this.ctx.log({ event: 'page', ...base, outcome: 'held', reason: held });
      return;
    }
    const rule = ruleFor(checkOfKey(key), settings.paging);
    const targets = settings.paging.notifiers.map((n, i) => ({ n, name: notifierName(n, i) }))
      .filter(({ n }) => event !== 'resolved' || rule.sendResolved || n.kind === 'alertmanager');
    this.ctx.log({ event: 'page', ...base, outcome: 'queued', notifiers: targets.map((t) => t.name) });
    for (const { n, name } of targets) {
      this.outbox.enqueue({ notifier: name, request: outgoing(page, n, this.ctx.now()), about: { check: key, event, traceId: page.traceId }, replaceKey: n.kind === 'alertmanager' ? `alert:${key}` : undefined });
      if (n.kind === 'alertmanager') this.reposted.set(`${name}|${key}`, this.ctx.now().getTime());
    }
    track.notified = event !== 'resolved';
  }

  /** Once per watcher cycle: the heartbeat, and Alertmanager re-posts of what is still firing. */
  cycle(): void {
    if (!this.active || !this.settings) return;
    const { heartbeatUrl, notifiers } = this.settings.paging;
    if (heartbeatUrl) {
      this.outbox.enqueue({ notifier: 'heartbeat', request: { method: 'GET', url: heartbeatUrl, headers: { 'user-agent': 'clawbar-pager/0.1' }, body: null }, about: { check: 'heartbeat', event: 'heartbeat', traceId: randomUUID() }, replaceKey: 'heartbeat', maxAttempts: 1, quiet: true });
    }
    const now = this.ctx.now();
    notifiers.forEach((n, i) => {
      if (n.kind !== 'alertmanager') return;
      const name = notifierName(n, i);
      for (const [key, track] of this.tracks) {
        if ((track.status !== 'firing' && track.status !== 'recovering') || !track.notified) continue;
        if (now.getTime() - (this.reposted.get(`${name}|${key}`) ?? 0) < repostMs(n)) continue;
        this.reposted.set(`${name}|${key}`, now.getTime());
        const page = this.ctx.redact(this.build(key, track, 'firing'));
        this.outbox.enqueue({ notifier: name, request: outgoing(page, n, now), about: { check: key, event: 'repost', traceId: page.traceId }, replaceKey: `alert:${key}`, quiet: true });
      }
    });
  }

  /**
   * "Send test page": one page to one notifier now, through this pager's
   * transport (the daemon's proxy and trust, as every page), but not through
   * the outbox — the operator waits for this one outcome, so no retries.
   */
  async test(notifier: Notifier, index: number): Promise<SendResult & { notifier: string; traceId: string }> {
    const now = this.ctx.now();
    const name = notifierName(notifier, index);
    const page = this.ctx.redact(testPage(this.node, now));
    const result = await this.transport.send(outgoing(page, notifier, now), this.ctx.net());
    this.ctx.log({ event: 'test', notifier: name, outcome: result.ok ? 'sent' : 'failed', status: result.status, via: result.via, error: result.error, traceId: page.traceId });
    return { notifier: name, traceId: page.traceId, ...result };
  }

  /** Reads the saved tracks again on the next look: another owner (the watcher, the app) may have paged since. */
  reload(): void {
    this.loaded = null;
  }

  /** The checks now firing, for `clawbar watch status`. */
  firing(): Array<{ key: string; since: string | null }> {
    return [...this.tracks].filter(([, t]) => t.status === 'firing' || t.status === 'recovering').map(([key, t]) => ({ key, since: t.failingSince ? new Date(t.failingSince).toISOString() : null }));
  }

  async stop(): Promise<void> {
    await this.outbox.stop();
    await this.transport.close();
  }
}
