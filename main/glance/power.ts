import { describeFailure, type Executor } from '../system/exec.ts';

/**
 * `pmset -g`: whether this Mac sleeps when idle and whether Power Nap wakes
 * it in the dark. A gateway host must stay up: `sleep 0`, `powernap 0`.
 * Lines look like ` sleep                1 (sleep prevented by sharingd, coreaudiod)`.
 */
export interface PowerSettings {
  /** Minutes of idle before system sleep; 0 never. */
  sleepMinutes: number | null;
  powernap: boolean | null;
  /** What holds sleep off right now (it resumes when they let go). */
  preventedBy: string[];
}

export function parsePmset(text: string): PowerSettings {
  const settings: PowerSettings = { sleepMinutes: null, powernap: null, preventedBy: [] };
  for (const line of text.split('\n', 2_000)) {
    const match = /^\s+(sleep|powernap)\s+(\d+)(?:\s+\((?:sleep prevented by|display sleep prevented by)?\s*([^)]*)\))?\s*$/.exec(line);
    if (!match) continue;
    if (match[1] === 'sleep') {
      settings.sleepMinutes = Number(match[2]);
      if (match[3]) settings.preventedBy = match[3].split(',').map((s) => s.trim()).filter(Boolean);
    } else settings.powernap = match[2] !== '0';
  }
  return settings;
}

/** Asked through the executor everywhere: where pmset does not exist, that is the answer. */
export async function readPower(exec: Executor): Promise<{ settings: PowerSettings | null; error: string | null }> {
  const result = await exec('pmset', ['-g'], { timeoutMs: 3_000, maxBytes: 256 * 1024 });
  if (result.code !== 0) return { settings: null, error: describeFailure(result) };
  return { settings: parsePmset(result.stdout), error: null };
}

/** One line for the evidence, or null when the Mac stays up. */
export function sleepEvidence(power: PowerSettings | null): string | null {
  if (!power) return null;
  const parts: string[] = [];
  if (power.sleepMinutes) parts.push(`system sleep after ${power.sleepMinutes} min idle${power.preventedBy.length ? ` (held off now by ${power.preventedBy.join(', ')})` : ''}`);
  if (power.powernap) parts.push('Power Nap on');
  return parts.length ? `pmset -g: ${parts.join('; ')}` : null;
}
