import type { Outgoing } from './bodies.ts';
import type { SendResult } from './transport.ts';

export interface Delivery {
  /** The notifier's name: one queue per notifier, so pages reach each receiver in order. */
  notifier: string;
  request: Outgoing;
  /** What the page log says about it. */
  about: { check: string; event: string; traceId: string };
  /** A queued delivery with the same key is replaced by the newer one (Alertmanager re-posts, heartbeats). */
  replaceKey?: string;
  /** Overrides the outbox's attempts (a heartbeat's retry is the next cycle). */
  maxAttempts?: number;
  /** Log only failures (re-posts and heartbeats would otherwise log every minute). */
  quiet?: boolean;
}

export interface Backoff { firstMs: number; factor: number; maxMs: number; maxAttempts: number }

/** 5 s, 15 s, 45 s, 2 min 15 s, 5 min: a receiver that restarts or a proxy that blips is ridden out in about eight minutes. */
export const DEFAULT_BACKOFF: Backoff = { firstMs: 5_000, factor: 3, maxMs: 300_000, maxAttempts: 6 };
const MAX_QUEUED = 50;

interface Queued extends Delivery { attempts: number }

export interface OutboxOptions {
  send: (request: Outgoing) => Promise<SendResult>;
  log: (record: Record<string, unknown>) => void;
  backoff?: Backoff;
}

/**
 * Delivers pages without ever making a check wait: `enqueue` returns at
 * once; each notifier's queue is worked through in order, a failure retried
 * with exponential backoff (holding back that notifier's later pages, so a
 * "resolved" never overtakes its "firing"), every failure and every give-up
 * logged. Queues are bounded; the oldest page goes first when one overflows.
 */
export class Outbox {
  private readonly queues = new Map<string, Queued[]>();
  private readonly working = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly options: OutboxOptions;
  private readonly backoff: Backoff;
  private stopped = false;

  constructor(options: OutboxOptions) {
    this.options = options;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  enqueue(delivery: Delivery): void {
    if (this.stopped) return;
    const queue = this.queues.get(delivery.notifier) ?? [];
    // The head may be in flight: only waiting deliveries are replaced.
    const waiting = delivery.replaceKey ? queue.findIndex((q, i) => q.replaceKey === delivery.replaceKey && (i > 0 || !this.working.has(delivery.notifier))) : -1;
    if (waiting >= 0) queue[waiting] = { ...delivery, attempts: 0 };
    else queue.push({ ...delivery, attempts: 0 });
    while (queue.length > MAX_QUEUED) {
      const dropped = queue.splice(this.working.has(delivery.notifier) ? 1 : 0, 1)[0]!;
      this.options.log({ ...this.base(dropped), outcome: 'dropped', error: `more than ${MAX_QUEUED} pages waiting for this notifier` });
    }
    this.queues.set(delivery.notifier, queue);
    this.pump(delivery.notifier);
  }

  /** Pages waiting (or being retried) per notifier. */
  pending(): number {
    return [...this.queues.values()].reduce((n, q) => n + q.length, 0);
  }

  private base(d: Queued) {
    return { notifier: d.notifier, check: d.about.check, event: d.about.event, traceId: d.about.traceId, attempt: d.attempts };
  }

  private pump(name: string): void {
    if (this.stopped || this.working.has(name) || this.timers.has(name)) return;
    const head = this.queues.get(name)?.[0];
    if (!head) return;
    this.working.add(name);
    const run = this.attempt(name, head).finally(() => {
      this.working.delete(name);
      this.inflight.delete(run);
      this.pump(name);
    });
    this.inflight.add(run);
  }

  private async attempt(name: string, head: Queued): Promise<void> {
    head.attempts++;
    const result = await this.options.send(head.request);
    const queue = this.queues.get(name) ?? [];
    const limit = head.maxAttempts ?? this.backoff.maxAttempts;
    if (result.ok || head.attempts >= limit) {
      if (queue.includes(head)) queue.splice(queue.indexOf(head), 1);
      if (!result.ok) this.options.log({ ...this.base(head), outcome: 'gave-up', via: result.via, status: result.status, error: result.error });
      else if (!head.quiet || head.attempts > 1) this.options.log({ ...this.base(head), outcome: 'sent', via: result.via, status: result.status });
      return;
    }
    const delay = Math.min(this.backoff.maxMs, this.backoff.firstMs * this.backoff.factor ** (head.attempts - 1));
    this.options.log({ ...this.base(head), outcome: 'retrying', via: result.via, status: result.status, error: result.error, retryInMs: delay });
    if (this.stopped) return;
    this.timers.set(name, setTimeout(() => {
      this.timers.delete(name);
      this.pump(name);
    }, delay));
  }

  /** Stops retrying; waits up to `graceMs` for deliveries in flight, and logs what is left undelivered. */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inflight]), new Promise((r) => { timer = setTimeout(r, graceMs); })]);
    clearTimeout(timer);
    for (const queue of this.queues.values()) for (const left of queue) if (!left.quiet) this.options.log({ ...this.base(left), outcome: 'undelivered', error: 'the watcher stopped before this page went out' });
    this.queues.clear();
  }
}
