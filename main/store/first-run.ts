import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PRIVATE_DIR_MODE } from './jsonl-log.ts';

/**
 * Whether the first-run wizard still has to be shown. A marker file in
 * clawbar's state folder rather than the app's store, so the answer is the
 * same whoever asks (app, tests) and survives a reinstall of the app.
 */
export class FirstRun {
  private readonly marker: string;
  pending = true;

  constructor(marker: string) {
    this.marker = marker;
  }

  async load(): Promise<void> {
    this.pending = await access(this.marker).then(() => false, () => true);
  }

  async complete(): Promise<void> {
    await mkdir(dirname(this.marker), { recursive: true, mode: PRIVATE_DIR_MODE });
    await writeFile(this.marker, `${new Date().toISOString()}\n`, { mode: 0o600 });
    this.pending = false;
  }
}
