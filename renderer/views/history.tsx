import { api, type AgentState, type History } from '../api.ts';
import { Badge } from '../components/badge.tsx';
import { SkeletonRows } from '../components/skeleton.tsx';
import { Sparkline } from '../components/sparkline.tsx';
import { dateTime } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { GatewayLogCard } from './gateway-log-card.tsx';

/** Health over the last samples, the gateway's own log errors by layer and hour, and the probe runs from the log, newest first. */
export function HistoryView(props: { state: AgentState | null }) {
  const { data, error, reload } = useLoad<History>(() => api.getHistory(), props.state?.lastProbe?.traceId ?? null);
  const health = data?.health ?? [];
  const failures = health.filter((h) => h.state === 'fail').length;
  return (
    <div class="stack">
      <section class="card" aria-labelledby="hh-title">
        <h2 id="hh-title">Gateway health</h2>
        <Sparkline values={health.filter((h) => h.latencyMs !== null).map((h) => h.latencyMs!)} width={376} height={48} slo={300} label="Gateway latency history" />
        <div class="health-strip" aria-label={`${health.length} samples, ${failures} failed`}>
          {health.map((h, i) => <i key={i} class={h.state === 'ok' ? 'tone-ok' : 'tone-critical'} title={`${dateTime(h.at)} ${h.state}`} />)}
        </div>
        <p class="muted small">{health.length} samples{failures ? `, ${failures} failed` : ', none failed'}</p>
      </section>
      <GatewayLogCard log={data ? data.gatewayLog : undefined} error={error} onReload={reload} />
      <section class="card" aria-labelledby="ph-title">
        <h2 id="ph-title">Probe runs</h2>
        {error && <p class="error-text">{error}</p>}
        {!data ? <SkeletonRows rows={4} /> : data.probes.length === 0 ? <p class="muted small">No probe runs logged yet.</p> : (
          <ul class="run-list">
            {data.probes.map((run) => (
              <li key={run.traceId}>
                <Badge tone={run.failed ? 'critical' : 'ok'}>{run.failed ? `${run.failed} failed` : 'all ok'}</Badge>
                <span class="grow ellipsis">{dateTime(run.at)} · {run.source} · {run.total} targets</span>
                <span class="muted small ellipsis c-layers">{run.layers.join(', ')}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
