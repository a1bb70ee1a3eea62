import { useState } from 'preact/hooks';
import { api, type AgentState } from '../api.ts';
import type { Navigate } from '../navigate.ts';
import { Badge } from '../components/badge.tsx';
import { useAction } from '../hooks.ts';
import { wizardChecks } from './wizard-checks.ts';

const WORD = { ok: 'looks good', warn: 'worth a look', critical: 'needs fixing', unknown: 'checking' } as const;

/** First run: one check at a time, in plain words, each with the fix to offer. */
export function WizardView(props: { state: AgentState | null; navigate: Navigate }) {
  const { state, navigate } = props;
  const checks = wizardChecks(state);
  const [index, setIndex] = useState(0);
  const probe = useAction(() => api.runProbes({ world: 'daemon' }));
  const finish = useAction(async () => { await api.completeWizard(); navigate('overview'); });
  const current = checks[Math.min(index, checks.length - 1)]!;
  const last = index >= checks.length - 1;
  return (
    <div class="stack wizard" data-testid="wizard">
      <p class="lead">Let's check this Mac's OpenClaw gateway, step by step.</p>
      <ol class="check-list" aria-label="Checks">
        {checks.map((c, i) => (
          <li key={c.id}>
            <button type="button" class={`check ${i === index ? 'current' : ''}`} aria-current={i === index ? 'step' : undefined} onClick={() => setIndex(i)}>
              <i class={`dot-inline tone-${c.state}`} aria-hidden="true" /> {c.title} <span class="muted small">{WORD[c.state]}</span>
            </button>
          </li>
        ))}
      </ol>
      <section class={`card check-card tone-border-${current.state}`} aria-live="polite" data-testid={`check-${current.id}`}>
        <h2>{current.title} <Badge tone={current.state}>{WORD[current.state]}</Badge></h2>
        <p class="said">{current.said}</p>
        <div class="actions">
          {current.id === 'egress' && <button type="button" onClick={() => void probe.run()} disabled={probe.busy || state?.busy.includes('probes')}>{probe.busy ? 'Testing…' : state?.lastProbe ? 'Test again' : 'Test now'}</button>}
          {current.fix && current.fix.view !== 'probes' && <button type="button" class="primary" onClick={() => navigate(current.fix!.view, current.fix!.preset)}>{current.fix.label}</button>}
          {probe.error && <span class="error-text small">{probe.error}</span>}
        </div>
      </section>
      <div class="actions">
        <button type="button" class="secondary" disabled={index === 0} onClick={() => setIndex(index - 1)}>Back</button>
        <span class="spacer" />
        {last ? <button type="button" class="primary" onClick={() => void finish.run()} disabled={finish.busy} data-testid="wizard-finish">Finish</button>
          : <button type="button" class="primary" onClick={() => setIndex(index + 1)} data-testid="wizard-next">Next</button>}
      </div>
    </div>
  );
}
