/**
 * Gateway latency over the last samples as a line; a flat band marks the
 * SLO so "fast" and "slow" need no axis. Fixed size: it never reflows.
 */
export function Sparkline(props: { values: number[]; width: number; height: number; slo?: number; label: string }) {
  const { values, width, height } = props;
  const pad = 3;
  const max = Math.max(...values, props.slo ?? 0, 1);
  const x = (i: number) => pad + (values.length <= 1 ? 0 : (i * (width - pad * 2)) / (values.length - 1));
  const y = (v: number) => height - pad - (v / max) * (height - pad * 2);
  const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const last = values.at(-1);
  return (
    <svg class="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.label}>
      {props.slo !== undefined && props.slo < max && <line class="spark-slo" x1={0} x2={width} y1={y(props.slo)} y2={y(props.slo)} />}
      {values.length > 1 && <polyline class="spark-line" points={points} fill="none" />}
      {last !== undefined && <circle class="spark-dot" cx={x(values.length - 1)} cy={y(last)} r={2.5} />}
      {values.length === 0 && <text class="spark-empty" x={width / 2} y={height / 2 + 4} text-anchor="middle">no samples yet</text>}
    </svg>
  );
}
