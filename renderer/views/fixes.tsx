import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type FixBundleSummary, type FixOutcome, type FixStep, type Progress } from '../api.ts';
import { Badge } from '../components/badge.tsx';
import { dateTime, errorText } from '../format.ts';
import { useLoad, useProgress } from '../hooks.ts';
import type { FixPreset } from '../navigate.ts';
import type { FixKind } from '../types.ts';
import { FIX_CHOICES, FixInputs, presetFields, requestFor } from './fix-form.tsx';
import { ApplyPanel, PreflightPanel, PreviewPanel, VerifyPanel } from './fix-panels.tsx';

const STEPS = ['Choose', 'Preview', 'Pre-flight', 'Apply', 'Verify'] as const;
type Step = (typeof STEPS)[number];

/** The fix wizard: choose → preview the diff → pre-flight → apply with progress → verify, with rollback and history. */
export function FixesView(props: { preset: FixPreset | null }) {
  const [step, setStep] = useState<Step>('Choose');
  const [kind, setKind] = useState<FixKind>(props.preset && 'kind' in props.preset ? props.preset.kind : 'ca');
  // A fix found undone is put back from the request it was made from (the proxy password stays sealed in main).
  const reapply = props.preset && 'reapply' in props.preset ? props.preset.reapply : null;
  const [fields, setFields] = useState(() => presetFields(props.preset));
  const [plan, setPlan] = useState<FixOutcome | null>(null);
  const [applied, setApplied] = useState<FixOutcome | null>(null);
  const [rolledBack, setRolledBack] = useState<FixOutcome | null>(null);
  const [steps, setSteps] = useState<FixStep[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const history = useLoad<FixBundleSummary[]>(() => api.fixHistory(), `${applied?.bundleId}${rolledBack?.bundleId}`);
  useProgress(useCallback((p: Progress) => { if (p.kind === 'fix') setSteps((list) => [...list, p.step]); }, []));
  // Each step starts at the top, where the stepper says where the operator is.
  useEffect(() => { document.querySelector('.view')?.scrollTo(0, 0); }, [step]);

  const request = requestFor(kind, fields);
  const call = async <T,>(work: () => Promise<T>, then: (value: T) => void) => {
    setBusy(true);
    setError(null);
    setSteps([]);
    try { then(await work()); } catch (failure) { setError(errorText(failure)); } finally { setBusy(false); }
  };
  const planned = (outcome: FixOutcome) => { setPlan(outcome); setStep('Preview'); };
  const done = (outcome: FixOutcome) => { setApplied(outcome); setStep('Verify'); };
  const planId = plan?.plan?.planId;
  const preview = () => (reapply ? call(() => api.reapplyFix({ id: reapply }), planned) : typeof request !== 'string' && call(() => api.planFix(request), planned));
  const apply = () => (reapply ? call(() => api.reapplyFix({ id: reapply, apply: true, planId }), done) : typeof request !== 'string' && call(() => api.applyFix({ fix: request, planId }), done));
  const rollback = (id: string | undefined) => call(() => api.rollbackFix({ id }), (outcome) => { setRolledBack(outcome); history.reload(); });
  const restart = () => { setStep('Choose'); setPlan(null); setApplied(null); setRolledBack(null); setSteps([]); setError(null); };

  return (
    <div class="stack">
      <ol class="stepper" aria-label="Fix steps">
        {STEPS.map((name, i) => <li key={name} class={name === step ? 'current' : STEPS.indexOf(step) > i ? 'done' : ''} aria-current={name === step ? 'step' : undefined}>{name}</li>)}
      </ol>
      {error && <p class="error-text" role="alert" data-testid="fix-error">{error}</p>}
      {step === 'Choose' && reapply && (
        <section class="card" aria-label="Put a fix back">
          <p>Fix <code>{reapply}</code> is no longer in force. Putting it back makes a new plan from the same request: you see the preview and the pre-flight before anything is written.</p>
          <div class="actions">
            <button type="button" class="primary" disabled={busy} onClick={() => void preview()} data-testid="fix-reapply">{busy ? 'Planning…' : 'Preview'}</button>
          </div>
        </section>
      )}
      {step === 'Choose' && !reapply && (
        <section class="card" aria-label="Choose a fix">
          <div class="choices" role="radiogroup" aria-label="Fix">
            {FIX_CHOICES.map((c) => (
              <label key={c.kind} class={`choice ${kind === c.kind ? 'selected' : ''}`}>
                <input type="radio" name="fix-kind" checked={kind === c.kind} onChange={() => setKind(c.kind)} data-kind={c.kind} />
                <span><strong>{c.title}</strong><span class="muted small block">{c.what}</span></span>
              </label>
            ))}
          </div>
          <FixInputs kind={kind} fields={fields} onChange={setFields} />
          <div class="actions">
            <button type="button" class="primary" disabled={busy || typeof request === 'string'} onClick={() => void preview()} data-testid="fix-preview">{busy ? 'Planning…' : 'Preview'}</button>
            {typeof request === 'string' && <span class="muted small">{request}</span>}
          </div>
        </section>
      )}
      {step === 'Preview' && plan && <PreviewPanel outcome={plan} onBack={restart} onNext={() => setStep('Pre-flight')} />}
      {step === 'Pre-flight' && plan && <PreflightPanel outcome={plan} busy={busy} onBack={() => setStep('Preview')} onApply={() => { setStep('Apply'); void apply(); }} />}
      {step === 'Apply' && <ApplyPanel steps={steps} outcome={applied} busy={busy} />}
      {step === 'Verify' && applied && <VerifyPanel outcome={applied} rolledBack={rolledBack} busy={busy} onRollback={() => void rollback(applied.bundleId ?? undefined)} onDone={restart} />}

      <section class="card" aria-labelledby="fh-title">
        <h2 id="fh-title">History</h2>
        {history.error && <p class="muted small">{history.error}</p>}
        {history.data?.length === 0 && <p class="muted small">No fixes applied yet.</p>}
        <ul class="run-list" data-testid="fix-history">
          {history.data?.map((b) => (
            <li key={b.id}>
              <Badge tone={b.state === 'verified' ? 'ok' : b.state === 'failed' ? 'critical' : b.state === 'rolled-back' ? 'info' : 'warn'}>{b.state}</Badge>
              <span class="grow ellipsis" title={b.summary}>{b.kind} · {dateTime(b.createdAt)}</span>
              {(b.state === 'applied' || b.state === 'verified' || b.state === 'failed') && <button type="button" class="link small" disabled={busy} onClick={() => void rollback(b.id)}>Roll back</button>}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
