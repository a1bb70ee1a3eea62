const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A pause longer than a week is a watcher switched off: say so with `watch uninstall` instead. */
export const MAX_PAUSE_MS = 7 * 86_400_000;

/**
 * `30m`, `2h`, `1h30m`, `90s`, `1d`: a maintenance window's length in ms, or
 * null when the text is not one (or is zero, or longer than MAX_PAUSE_MS).
 */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+[smhd])+$/.test(trimmed)) return null;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([smhd])/g)) total += Number(amount) * UNIT_MS[unit!]!;
  return total > 0 && total <= MAX_PAUSE_MS ? total : null;
}

/** The other way round, for messages: 5400000 → "1h30m". */
export function formatDuration(ms: number): string {
  let left = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (left >= size) {
      parts.push(`${Math.floor(left / size)}${unit}`);
      left %= size;
    }
  }
  return parts.join('') || '0s';
}
