import type { ProbeResult } from '../api.ts';
import { ms } from '../format.ts';

const PHASES = [
  ['dnsMs', 'DNS'], ['connectMs', 'connect'], ['proxyConnectMs', 'proxy'], ['tlsMs', 'TLS'], ['ttfbMs', 'first byte'],
] as const;

/**
 * One probe's phases as a waterfall, like curl -w timings: each phase starts
 * where the previous ended. `scaleMs` is shared by all rows of a table so
 * the bars compare across targets.
 */
export function PhaseBars(props: { phases: ProbeResult['phases']; scaleMs: number; width: number }) {
  const { phases, width } = props;
  const height = 10;
  const scale = (value: number) => (value / Math.max(props.scaleMs, 1)) * width;
  let start = 0;
  const segments = PHASES.flatMap(([key, label]) => {
    const value = phases[key];
    if (value === null || value <= 0) return [];
    const segment = { key, label, x: scale(start), w: Math.max(scale(value), 1.5), value };
    start += value;
    return [segment];
  });
  const summary = segments.map((s) => `${s.label} ${ms(s.value)}`).join(', ') || `total ${ms(phases.totalMs)}`;
  return (
    <svg class="phases" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary}>
      <title>{summary}</title>
      <rect class="phase-track" x={0} y={0} width={width} height={height} rx={2} />
      {segments.map((s) => <rect key={s.key} class={`phase phase-${s.key}`} x={Math.min(s.x, width - 1.5)} y={0} width={Math.min(s.w, width - s.x)} height={height} rx={1} />)}
    </svg>
  );
}

export function PhaseLegend() {
  return (
    <div class="legend" aria-hidden="true">
      {PHASES.map(([key, label]) => <span key={key}><i class={`swatch phase-${key}`} />{label}</span>)}
    </div>
  );
}
