/**
 * The one periodic loop: runs a task now (or after one interval) and then
 * every `intervalMs`, never two at once. The agent's checks and the health
 * scheduler all run on it. `stop()` clears the timer and waits for a run in
 * flight, so a paused agent leaves nothing behind.
 */
export class Periodic {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private readonly intervalMs: number;
  private readonly task: () => Promise<void>;

  constructor(intervalMs: number, task: () => Promise<void>) {
    this.intervalMs = intervalMs;
    this.task = task;
  }

  /** Starts the loop; the first run is immediate unless `delayFirst`. */
  start(delayFirst = false): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (delayFirst) this.schedule();
    else void this.tick();
  }

  /** One run now, or joins the one already running. Errors stay inside the task. */
  async runNow(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.task().finally(() => { this.running = null; });
    return this.running;
  }

  private schedule(): void {
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.intervalMs);
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    await this.runNow();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running;
  }
}
