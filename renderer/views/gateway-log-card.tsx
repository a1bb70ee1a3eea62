import type { GatewayLogHistory } from '../types.ts';
import { Badge } from '../components/badge.tsx';
import { HourBars } from '../components/hour-bars.tsx';
import { SkeletonRows } from '../components/skeleton.tsx';
import { dateTime } from '../format.ts';

/** What each layer's errors mean, in the words the probes use. */
const LAYER_WORDS: Record<string, string> = {
  'proxy-auth': 'the proxy wants credentials', proxy: 'the proxy failed the request', 'tls-trust': 'certificate not trusted', 'tls-name': 'certificate names another host',
  'tls-clock': 'certificate dates vs the clock', 'tls-protocol': 'no common TLS version', dns: 'name not resolved', refused: 'connection refused', timeout: 'no answer in time',
  route: 'no route', 'rate-limit': 'throttled (429, 503)', http: 'HTTP error', waf: 'blocked by a firewall', websocket: 'WebSocket failed',
};

const hourMinute = (iso: string | undefined, withDate = false) => (iso ? new Date(iso).toLocaleString([], { ...(withDate ? { month: 'short', day: 'numeric' } : {}), hour: '2-digit', minute: '2-digit' }) : '—');

/** The files clawbar reads, or would read once the gateway writes them. */
function Files(props: { log: GatewayLogHistory }) {
  const { files, readable } = props.log;
  if (files.length === 0) return <p class="muted small">No gateway service found, so no log is read.</p>;
  return (
    <p class="muted small" data-testid="gateway-log-files">
      {readable ? 'Read from ' : 'No log file yet; looking for '}
      {files.map((file, i) => <span key={file}>{i > 0 ? ', ' : ''}<code class="mono break">{file}</code></span>)}
    </p>
  );
}

/**
 * The gateway's own log errors, counted by layer, host and hour by whoever
 * owns the schedules (the app, or the watcher): each layer's last 24 hours
 * as bars, the hosts with the most, and a marker where a layer's last hour
 * jumped against its usual rate. Log lines themselves are never shown.
 */
export function GatewayLogCard(props: { log: GatewayLogHistory | null | undefined; error: string | null; onReload: () => void }) {
  const { log } = props;
  const layers = log ? Object.entries(log.lastDay.byLayer).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])) : [];
  const max = log ? Math.max(1, ...log.hours.flatMap((h) => Object.values(h.byLayer))) : 1;
  const labels = log?.hours.map((h) => hourMinute(h.hour, true)) ?? [];
  const total = layers.reduce((sum, [, n]) => sum + n, 0);
  const since = log ? Object.values(log.totals).reduce((sum, n) => sum + n, 0) : 0;
  return (
    <section class="card" aria-labelledby="gl-title" data-testid="gateway-log">
      <div class="card-head">
        <h2 id="gl-title">Gateway log errors</h2>
        {log && <Badge tone={total ? (log.jumps.length ? 'critical' : 'warn') : 'ok'}>{total ? `${total} in 24 h` : 'none in 24 h'}</Badge>}
        <span class="spacer" />
        <button type="button" class="secondary small" onClick={props.onReload}>Reload</button>
      </div>
      {props.error && <p class="error-text">{props.error}</p>}
      {log === undefined && !props.error && <SkeletonRows rows={3} height={22} />}
      {log === null && <p class="muted small">The gateway's log errors could not be read.</p>}
      {log && layers.length === 0 && (
        <div class="empty-log" data-testid="gateway-log-empty">
          <p>No errors logged in the last 24 hours.</p>
          {since > 0 && <p class="muted small">{since} since {dateTime(log.since)}, none of them in the last 24 hours.</p>}
        </div>
      )}
      {log && layers.length > 0 && (
        <>
          <div class="table compact" role="table" aria-label="Errors per layer">
            <div class="row head" role="row"><span class="c-layer">layer</span><span class="grow">per hour, last 24 h</span><span class="c-count">24 h</span><span class="c-count">1 h</span></div>
            {layers.map(([layer, count]) => {
              const jump = log.jumps.find((j) => j.layer === layer);
              const hour = log.lastHour.byLayer[layer] ?? 0;
              return (
                <div class={`row log-layer ${jump ? 'jumped' : ''}`} role="row" key={layer} data-layer={layer} data-count={count} data-hour={hour}>
                  <span class="c-layer" title={LAYER_WORDS[layer] ?? layer}><Badge tone={jump ? 'critical' : 'warn'}>{layer}</Badge></span>
                  <span class="grow bars-cell"><HourBars counts={log.hours.map((h) => h.byLayer[layer] ?? 0)} labels={labels} max={max} height={18} label={`${layer}: ${count} errors in the last 24 hours`} /></span>
                  <span class="c-count">{count}</span>
                  <span class="c-count">{hour}</span>
                  {jump && <span class="jump small" data-testid="rate-jumped" title={`${jump.lastHour} in the last hour; usually ${jump.usualPerHour} an hour`}>▲ rate jumped: {jump.lastHour} in the last hour, usually {jump.usualPerHour}/h</span>}
                </div>
              );
            })}
          </div>
          <h3>Top hosts</h3>
          <ol class="host-list" aria-label="Hosts with the most errors in the last 24 hours">
            {log.lastDay.byHost.slice(0, 5).map((h) => (
              <li key={`${h.host}|${h.layer}`} data-host={h.host}>
                <span class="grow mono ellipsis" title={h.host}>{h.host}</span>
                <span class="muted small">{h.layer}</span>
                <span class="c-count">{h.count}</span>
              </li>
            ))}
          </ol>
          <p class="muted small">One bar per clock hour since {hourMinute(log.hours[0]?.hour)} yesterday; counted since {hourMinute(log.since, true)}.</p>
        </>
      )}
      {log && <Files log={log} />}
    </section>
  );
}
