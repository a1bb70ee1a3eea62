/** A grey block of fixed size where data will appear, so nothing moves when it arrives. */
export function Skeleton(props: { width?: number | string; height: number; label?: string }) {
  const width = typeof props.width === 'number' ? `${props.width}px` : props.width ?? '100%';
  return <span class="skeleton" role="status" aria-label={props.label ?? 'loading'} style={{ width, height: `${props.height}px` }} />;
}

/** A table-shaped placeholder with `rows` lines of the row height. */
export function SkeletonRows(props: { rows: number; height?: number }) {
  return (
    <div class="skeleton-rows" role="status" aria-label="loading">
      {Array.from({ length: props.rows }, (_, i) => <span key={i} class="skeleton" style={{ height: `${props.height ?? 28}px` }} />)}
    </div>
  );
}
