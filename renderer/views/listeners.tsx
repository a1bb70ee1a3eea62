import { api, type AgentState } from '../api.ts';
import { Badge, StateBadge } from '../components/badge.tsx';
import { SkeletonRows } from '../components/skeleton.tsx';
import { dateTime } from '../format.ts';
import { useAction } from '../hooks.ts';

const EXPOSURE_TONE = { loopback: 'ok', specific: 'warn', wildcard: 'critical' } as const;

/** Every TCP listener with its exposure, and what changed since the saved baseline. */
export function ListenersView(props: { state: AgentState | null }) {
  const report = props.state?.listeners ?? null;
  const save = useAction(() => api.saveBaseline());
  const changes = report?.baseline.changes ?? [];
  return (
    <div class="stack">
      <div class="toolbar">
        {report ? <StateBadge state={report.state} /> : <span class="badge tone-unknown">…</span>}
        <span class="grow muted small">{report ? `${report.items.length} TCP listeners${report.partial ? ' (partial)' : ''}` : 'Scanning…'}</span>
        <button type="button" onClick={() => void save.run()} disabled={save.busy || !report} data-testid="save-baseline">Save baseline</button>
      </div>
      {report?.partial && <p class="note small">{report.partial}</p>}
      <div class="table" role="table" aria-label="Listeners">
        <div class="row head" role="row">
          <span role="columnheader" class="c-exp">exposure</span>
          <span role="columnheader" class="grow">address</span>
          <span role="columnheader" class="c-proc">process</span>
        </div>
        {!report ? <SkeletonRows rows={6} /> : report.items.map((l) => (
          <div class={`row sev-${l.severity}`} role="row" key={`${l.pid}-${l.address}-${l.port}`} data-port={l.port}>
            <span class="c-exp" role="cell"><Badge tone={l.severity === 'critical' ? 'critical' : EXPOSURE_TONE[l.exposure]} title={l.note ?? undefined}>{l.exposure}</Badge></span>
            <span class="grow mono ellipsis" role="cell" title={l.note ?? undefined}>{l.address.includes(':') && l.address !== '*' ? `[${l.address}]` : l.address}:{l.port}</span>
            <span class="c-proc ellipsis" role="cell" title={`${l.process} (pid ${l.pid})`}>{l.process} <span class="muted">{l.pid}</span></span>
          </div>
        ))}
      </div>
      <section class="card" aria-labelledby="diff-title">
        <h2 id="diff-title">Since the baseline</h2>
        <p class="muted small">{report?.baseline.savedAt ? `Saved ${dateTime(report.baseline.savedAt)}` : 'No baseline saved yet: save one when the listeners look right.'}</p>
        {changes.length === 0 ? <p class="muted small">{report?.baseline.savedAt ? 'No changes.' : ''}</p> : (
          <ul class="change-list" data-testid="baseline-changes">
            {changes.map((c) => (
              <li key={`${c.change}-${c.key}-${c.address}`}>
                <Badge tone={c.change === 'gone' ? 'info' : 'warn'}>{c.change}</Badge>
                <span class="mono grow ellipsis">{c.process} {c.address}:{c.port}{c.previousAddress ? ` (was ${c.previousAddress})` : ''}</span>
                {c.ageHours !== null && <span class="muted small">{c.ageHours} h</span>}
              </li>
            ))}
          </ul>
        )}
        {save.error && <p class="error-text small">{save.error}</p>}
      </section>
    </div>
  );
}
