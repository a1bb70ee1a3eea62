/** Small display helpers: the same units everywhere in the popover. */

export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (value < 10) return `${value.toFixed(1)} ms`;
  if (value < 10_000) return `${Math.round(value)} ms`;
  return `${(value / 1000).toFixed(1)} s`;
}

export function duration(msValue: number | null | undefined): string {
  if (msValue === null || msValue === undefined) return '—';
  const s = Math.floor(msValue / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

export function offset(msValue: number | null): string {
  if (msValue === null) return 'unknown';
  const sign = msValue < 0 ? '−' : '+';
  const size = Math.abs(msValue);
  return size < 1000 ? `${sign}${size.toFixed(size < 10 ? 1 : 0)} ms` : `${sign}${(size / 1000).toFixed(1)} s`;
}

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time(iso)}`;
}

/** The host (and port) of a target URL, which is what fits in a popover row. */
export function shortTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return url;
  }
}

export function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Electron prefixes errors thrown in main with the channel; the operator needs only the reason.
  return message.replace(/^Error invoking remote method '[^']+': (Error: )?/, '');
}
