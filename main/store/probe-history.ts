import type { ProbeRun } from '../ipc-contract.ts';
import { readLogTail } from './jsonl-log.ts';

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
  const runs = new Map<string, ProbeRun>();
  for (const record of (await readLogTail(logPath, TAIL_BYTES)) as LogLine[]) {
    if (typeof record.traceId !== 'string' || typeof record.time !== 'string') continue;
    const run = runs.get(record.traceId) ?? { traceId: record.traceId, at: record.time, source: record.source === 'shell' ? 'shell' : 'daemon', total: 0, failed: 0, layers: [] };
    run.total++;
    if (record.ok !== true) run.failed++;
    if (typeof record.layer === 'string' && !run.layers.includes(record.layer)) run.layers.push(record.layer);
    runs.set(record.traceId, run);
  }
  return [...runs.values()].sort((a, b) => b.at.localeCompare(a.at)).slice(0, MAX_RUNS);
}
