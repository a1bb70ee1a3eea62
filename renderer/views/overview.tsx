import { api, type AgentState } from '../api.ts';
import type { Navigate } from '../navigate.ts';
import { Badge, StateBadge } from '../components/badge.tsx';
import { Skeleton } from '../components/skeleton.tsx';
import { Sparkline } from '../components/sparkline.tsx';
import { Tile } from '../components/tile.tsx';
import { duration, ms, offset } from '../format.ts';
import { useAction } from '../hooks.ts';
import { CAUSE_WORDS, EdgesCard, VerdictBlock } from './edges-card.tsx';
import { remedyDisplay } from './remedy.ts';

export function OverviewView(props: { state: AgentState | null; navigate: Navigate }) {
  const { state, navigate } = props;
  const copy = useAction(() => api.copyReport());
  const probe = useAction(() => api.runProbes({ world: 'daemon' }));
  const g = state?.gateway ?? null;
  const info = state?.gatewayInfo ?? null;
  const l = state?.listeners ?? null;
  const c = state?.clock ?? null;
  const exposed = l ? l.items.filter((i) => i.exposure !== 'loopback').length : 0;
  const findings = state?.findings ?? [];
  return (
    <div class="stack">
      <div class="tiles">
        <Tile testId="tile-gateway" title="Gateway" state={state?.lines.gateway.state ?? null}
          value={g ? (g.state === 'unknown' ? 'checking' : g.state === 'ok' ? ms(g.latencyMs) : g.state) : null}
          detail={g ? (g.state === 'ok' || g.state === 'degraded' ? `p95 ${ms(g.p95Ms)}` : state?.verdict ? CAUSE_WORDS[state.verdict.cause] : g.error ?? 'no answer yet') : null} />
        <Tile testId="tile-listeners" title="Listeners" state={state?.lines.listeners.state ?? null}
          value={l ? `${l.items.length} open` : null} detail={l ? `${exposed} beyond loopback` : null} onOpen={() => navigate('listeners')} />
        <Tile testId="tile-clock" title="Clock" state={state?.lines.clock.state ?? null}
          value={c ? offset(c.offsetMs) : null} detail={c ? (c.method ? `by ${c.method}` : 'no NTP answer') : null} />
      </div>

      <section class="card gateway-card" aria-labelledby="gw-title" data-testid="gateway-card">
        <div class="card-head">
          <h2 id="gw-title">Gateway</h2>
          {g ? <StateBadge state={g.state} /> : <Skeleton width={48} height={16} />}
          <span class="spacer" />
          <span class="muted small">{info?.label ?? ''}</span>
        </div>
        <dl class="facts">
          <div><dt>Version</dt><dd>{info ? (info.version ?? '—') : <Skeleton width={70} height={14} />}</dd></div>
          <div><dt>Port</dt><dd>{info ? info.port : <Skeleton width={50} height={14} />}</dd></div>
          <div><dt>Bind</dt><dd>{info ? info.bind : <Skeleton width={60} height={14} />}</dd></div>
          <div><dt>Auth</dt><dd>{info ? info.auth : <Skeleton width={50} height={14} />}</dd></div>
          <div><dt>Uptime</dt><dd>{info ? duration(info.uptimeMs) : <Skeleton width={60} height={14} />}</dd></div>
          <div><dt>p95</dt><dd>{g ? ms(g.p95Ms) : <Skeleton width={50} height={14} />}</dd></div>
        </dl>
        {state?.verdict ? <VerdictBlock verdict={state.verdict} /> : <Sparkline values={state?.latencyHistory ?? []} width={376} height={40} slo={300} label="Gateway latency, recent samples" />}
      </section>

      <EdgesCard edges={state?.edges} navigate={navigate} />

      <section class="card egress-row" aria-label="Egress">
        <span class={`dot-inline tone-${state?.lines.egress.state ?? 'unknown'}`} aria-hidden="true" />
        <span class="grow ellipsis" data-testid="egress-line">{state ? state.lines.egress.text : 'Egress: …'}</span>
        <button type="button" class="small" onClick={() => void probe.run()} disabled={probe.busy || state?.busy.includes('probes')}>
          {probe.busy || state?.busy.includes('probes') ? 'Probing…' : 'Run probes'}
        </button>
      </section>

      <section class="card findings" aria-labelledby="findings-title">
        <h2 id="findings-title">Findings</h2>
        {!state ? <Skeleton height={40} /> : findings.length === 0 ? <p class="muted">Nothing needs attention.</p> : (
          <ul class="finding-list">
            {findings.slice(0, 4).map((f) => {
              const { command, action } = remedyDisplay(f, 'overview');
              return (
                <li key={`${f.id}${f.title}`} data-finding={f.id}>
                  <Badge tone={f.severity}>{f.severity}</Badge>
                  <span class="grow finding-title" title={f.title}>{f.title}</span>
                  {action && <button type="button" class="link small" onClick={() => navigate(action.view, action.preset)}>{action.label}</button>}
                  {command && <span class="finding-command mono small break" data-testid="finding-command">run: {command}</span>}
                </li>
              );
            })}
          </ul>
        )}
        {findings.length > 4 && <p class="muted small">+{findings.length - 4} more in the copied report</p>}
      </section>

      <footer class="actions">
        <button type="button" onClick={() => void copy.run()} disabled={copy.busy}>Copy diagnostics report</button>
        <span class="muted small" role="status">{copy.error ?? probe.error ?? (copy.result ? (copy.result.copied ? `Copied ${copy.result.chars} characters` : 'Clipboard unavailable') : '')}</span>
      </footer>
    </div>
  );
}
