/**
 * Counts per hour as a row of bars, oldest on the left. `max` is shared by
 * every row of a table, so rows compare at a glance; an hour without errors
 * is a faint tick, so gaps read as quiet hours rather than missing data.
 * Fixed height; the width follows its column.
 */
export function HourBars(props: { counts: number[]; labels: string[]; max: number; height: number; label: string }) {
  const { counts, height } = props;
  const slot = 6;
  const width = Math.max(counts.length * slot, slot);
  const scale = (n: number) => (n <= 0 ? 0 : Math.max((n / Math.max(props.max, 1)) * (height - 1), 2));
  return (
    <svg class="hour-bars" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" height={height} role="img" aria-label={props.label}>
      <title>{props.label}</title>
      {counts.map((n, i) => (
        <rect key={i} class={n > 0 ? 'hour-bar' : 'hour-tick'} x={i * slot + 0.5} width={slot - 1.5} y={n > 0 ? height - scale(n) : height - 1} height={n > 0 ? scale(n) : 1}>
          <title>{`${props.labels[i]}: ${n}`}</title>
        </rect>
      ))}
    </svg>
  );
}
