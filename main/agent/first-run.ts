import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Whether the first-run wizard still has to be shown. A marker file in
 * clawbar's state folder rather than the app's store, so the answer is the
 * same whoever asks (app, tests) and survives a reinstall of the app.
 */
export class FirstRun {
  private readonly marker: string;
  pending = true;

  constructor(stateDir: string) {
    this.marker = join(stateDir, 'first-run-complete');
  }

  async load(): Promise<void> {
    this.pending = await access(this.marker).then(() => false, () => true);
  }

  async complete(): Promise<void> {
    await mkdir(join(this.marker, '..'), { recursive: true });
    await writeFile(this.marker, `${new Date().toISOString()}\n`, { mode: 0o600 });
    this.pending = false;
  }
}
