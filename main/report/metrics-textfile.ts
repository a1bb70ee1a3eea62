import { join } from 'node:path';
import type { Settings } from '../settings.ts';
import { writeOutputFile } from '../system/files.ts';
import { clawbarPaths } from '../system/paths.ts';

/**
 * node_exporter's conventional textfile folder belongs to root, so by default
 * the textfile lives in clawbar's own state folder; point the collector's
 * `--collector.textfile.directory` there, or set `metricsTextfilePath`.
 */
export function textfilePath(settings: Pick<Settings, 'metricsTextfilePath'>, env: Record<string, string | undefined> = process.env): string {
  return settings.metricsTextfilePath || join(clawbarPaths(env).stateDir, 'metrics', 'clawbar.prom');
}

/**
 * Replaces the textfile atomically (temp file in the same folder, fsync,
 * rename): the collector reads only `*.prom`, and the temp name does not end
 * so, so a scrape never sees half a file. Readable by all, because
 * node_exporter usually runs as another user.
 */
export async function writeTextfile(path: string, text: string, createDir: boolean): Promise<void> {
  await writeOutputFile(path, text, { mode: 0o644, createDir });
}
