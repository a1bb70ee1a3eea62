import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';

/** A file the watcher keeps an eye on, by role. */
export interface Watched { role: 'config' | 'plist' | 'envFile' | 'settings'; path: string }

interface Print { stat: string; hash: string }

async function fingerprint(path: string, previous: Print | undefined): Promise<Print> {
  try {
    const info = await stat(path);
    const key = `${info.ino}:${info.size}:${info.mtimeMs}`;
    if (previous?.stat === key) return previous;
    // A touch or an identical rewrite changes the stat, not the content: only content counts as a change.
    const hash = createHash('sha256').update(await readFile(path)).digest('hex');
    return { stat: key, hash };
  } catch {
    return { stat: 'missing', hash: 'missing' };
  }
}

/**
 * Notices changes to the gateway's config, plist and env file (and the
 * watcher's own settings) by polling: a stat per file per poll, a hash only
 * when the stat moved. Polling survives what editors and OpenClaw do (write a
 * temp file, rename over), which file-system events often miss. Changes are
 * debounced: `settle` runs once the files have been quiet for `debounceMs`,
 * with every file that changed since the last settle.
 */
export class ConfigWatch {
  private readonly prints = new Map<string, Print>();
  private readonly changed = new Map<string, Watched>();
  private lastChangeAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private settling: Promise<void> | null = null;
  private readonly debounceMs: () => number;
  private readonly settle: (changed: Watched[]) => Promise<void>;
  private readonly now: () => number;

  constructor(options: { debounceMs: () => number; settle: (changed: Watched[]) => Promise<void>; now?: () => number }) {
    this.debounceMs = options.debounceMs;
    this.settle = options.settle;
    this.now = options.now ?? Date.now;
  }

  /** One look at the files; the first look at a path only remembers it. */
  async poll(files: Watched[]): Promise<void> {
    for (const file of files) {
      const before = this.prints.get(file.path);
      const after = await fingerprint(file.path, before);
      this.prints.set(file.path, after);
      if (before && before.hash !== after.hash) {
        this.changed.set(file.path, file);
        this.lastChangeAt = this.now();
      }
    }
    if (this.changed.size > 0) this.arm();
  }

  private arm(): void {
    if (this.timer || this.settling) return;
    const wait = Math.max(0, this.lastChangeAt + this.debounceMs() - this.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      // Changed again while waiting: wait for quiet from the last change.
      if (this.now() - this.lastChangeAt < this.debounceMs()) return this.arm();
      const changed = [...this.changed.values()];
      this.changed.clear();
      this.settling = this.settle(changed).catch(() => undefined).finally(() => {
        this.settling = null;
        if (this.changed.size > 0) this.arm();
      });
    }, wait);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.settling;
  }
}
