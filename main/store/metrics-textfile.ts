import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Settings } from '../settings.ts';
import { writeOutputFile } from '../system/files.ts';
import { PRIVATE_DIR_MODE } from './jsonl-log.ts';

/**
 * node_exporter's conventional textfile folder belongs to root, so by default
 * the textfile lives in clawbar's own state folder (`files.metricsTextfile`);
 * point the collector's `--collector.textfile.directory` there, or set
 * `metricsTextfilePath` to a folder the collector's account can read.
 */
export function textfilePath(settings: Pick<Settings, 'metricsTextfilePath'>, defaultPath: string): string {
  return settings.metricsTextfilePath || defaultPath;
}

/**
 * Replaces the textfile atomically (temp file in the same folder, fsync,
 * rename): the collector reads only `*.prom`, and the temp name does not end
 * so, so a scrape never sees half a file. The file is readable by all, because
 * node_exporter usually runs as another user; clawbar's state folder above it
 * is still created private (`stateDir`), only the metrics folder itself is 0755.
 */
export async function writeTextfile(path: string, text: string, options: { createDir: boolean; stateDir: string }): Promise<void> {
  if (options.createDir && dirname(path).startsWith(`${options.stateDir}/`)) await mkdir(options.stateDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await writeOutputFile(path, text, { mode: 0o644, createDir: options.createDir });
}
