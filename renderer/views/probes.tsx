import { useCallback, useState } from 'preact/hooks';
import { api, type AgentState, type Progress, type ProbeResult } from '../api.ts';
import type { Navigate } from '../navigate.ts';
import { LayerBadge } from '../components/badge.tsx';
import { PhaseBars, PhaseLegend } from '../components/phase-bars.tsx';
import { SkeletonRows } from '../components/skeleton.tsx';
import { ms, shortTarget } from '../format.ts';
import { useAction, useProgress } from '../hooks.ts';
import { ProbeDetails } from './probe-details.tsx';

/** The probe table: daemon's world first, the shell's beside it when compared. */
export function ProbesView(props: { state: AgentState | null; navigate: Navigate }) {
  const { state, navigate } = props;
  const [open, setOpen] = useState<string | null>(null);
  const [progress, setProgress] = useState<Extract<Progress, { kind: 'probe' }> | null>(null);
  useProgress(useCallback((p: Progress) => { if (p.kind === 'probe') setProgress(p); }, []));
  const daemon = useAction(() => api.runProbes({ world: 'daemon' }));
  const shell = useAction(() => api.runProbes({ world: 'shell' }));
  const report = state?.lastProbe ?? null;
  const shellReport = state?.lastShellProbe ?? null;
  const running = daemon.busy || shell.busy || Boolean(state?.busy.includes('probes'));
  const shellBy = new Map((shellReport?.results ?? []).map((r) => [r.target, r]));
  const scale = Math.max(1, ...(report?.results ?? []).map((r) => r.phases.totalMs));
  const status = running && progress ? `${progress.world}: ${progress.done}/${progress.total} · ${shortTarget(progress.target)} ${progress.phase}`
    : report ? `${report.summary.ok}/${report.summary.total} ok in ${ms(report.summary.durationMs)} · node ${report.runtime.nodeVersion}` : 'Not probed yet';

  return (
    <div class="stack">
      <div class="toolbar">
        <button type="button" onClick={() => void daemon.run()} disabled={running} data-testid="run-probes">{running ? 'Probing…' : 'Run probes'}</button>
        <button type="button" class="secondary" onClick={() => void shell.run()} disabled={running} title="Run the same suite with your shell's environment">Compare with my shell</button>
      </div>
      <p class="muted small status-line" role="status" aria-live="polite" data-testid="probe-status">{daemon.error ?? shell.error ?? status}</p>
      {report?.runtime.note && <p class="note small">{report.runtime.note}</p>}
      <PhaseLegend />
      <div class="table probes-table" role="list" aria-label="Probe results">
        <div class="row head" aria-hidden="true">
          <span class="c-badge">daemon</span>
          {shellReport && <span class="c-badge">shell</span>}
          <span class="grow">target</span>
          <span class="c-bars">phases</span>
          <span class="c-num">total</span>
        </div>
        {!report && (running ? <SkeletonRows rows={5} /> : <p class="muted empty">Run the suite to see how the gateway's own environment reaches each target.</p>)}
        {report?.results.map((r) => (
          <ProbeRow key={r.target} result={r} shell={shellReport ? shellBy.get(r.target) ?? null : undefined} scale={scale}
            open={open === r.target} onToggle={() => setOpen(open === r.target ? null : r.target)} navigate={navigate} />
        ))}
      </div>
    </div>
  );
}

function ProbeRow(props: { result: ProbeResult; shell: ProbeResult | null | undefined; scale: number; open: boolean; onToggle: () => void; navigate: Navigate }) {
  const r = props.result;
  return (
    <div class={`probe ${props.open ? 'open' : ''}`} role="listitem" data-target={r.target} data-layer={r.layer ?? 'ok'}>
      <button type="button" class="row" aria-expanded={props.open} onClick={props.onToggle}>
        <span class="c-badge"><LayerBadge layer={r.layer} /></span>
        {props.shell !== undefined && <span class="c-badge"><LayerBadge layer={props.shell?.layer ?? null} missing={props.shell === null} /></span>}
        <span class="grow ellipsis" title={r.target}>{r.name ?? shortTarget(r.target)}</span>
        <span class="c-bars"><PhaseBars phases={r.phases} scaleMs={props.scale} width={88} /></span>
        <span class="c-num">{ms(r.phases.totalMs)}</span>
      </button>
      {props.open && <ProbeDetails result={r} shell={props.shell ?? null} navigate={props.navigate} />}
    </div>
  );
}
