import { open } from 'node:fs/promises';
import type { ProbeRun } from '../ipc-contract.ts';

/** Enough of the log's tail for the last few dozen runs; the log itself is rotated at 5 MiB. */
const TAIL_BYTES = 512 * 1024;
const MAX_RUNS = 50;

interface LogLine { time?: unknown; traceId?: unknown; source?: unknown; ok?: unknown; layer?: unknown }

/**
 * Probe runs over time, read back from the probes JSON-lines log the suite
 * already writes (one line per probe, grouped here by trace id), so history
 * survives restarts of the app without a store of its own. Newest first.
 */
export async function readProbeRuns(logPath: string): Promise<ProbeRun[]> {
  let text: string;
  try {
    const file = await open(logPath, 'r');
    try {
      const { size } = await file.stat();
      const start = Math.max(0, size - TAIL_BYTES);
      const buffer = Buffer.alloc(size - start);
      await file.read(buffer, 0, buffer.length, start);
      text = buffer.toString('utf8');
      // The first line of a cut tail is partial.
      if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    } finally {
      await file.close();
    }
  } catch {
    return [];
  }
  const runs = new Map<string, ProbeRun>();
  for (const line of text.split('\n')) {
    let record: LogLine;
    try { record = JSON.parse(line) as LogLine; } catch { continue; }
    if (typeof record.traceId !== 'string' || typeof record.time !== 'string') continue;
    const run = runs.get(record.traceId) ?? { traceId: record.traceId, at: record.time, source: record.source === 'shell' ? 'shell' : 'daemon', total: 0, failed: 0, layers: [] };
    run.total++;
    if (record.ok !== true) run.failed++;
    if (typeof record.layer === 'string' && !run.layers.includes(record.layer)) run.layers.push(record.layer);
    runs.set(record.traceId, run);
  }
  return [...runs.values()].sort((a, b) => b.at.localeCompare(a.at)).slice(0, MAX_RUNS);
}
