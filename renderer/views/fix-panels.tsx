import type { FixOutcome, FixStep } from '../api.ts';
import { Badge } from '../components/badge.tsx';
import { time } from '../format.ts';

/** A unified diff with added and removed lines marked (secrets arrive already redacted). */
function Diff(props: { text: string }) {
  return (
    <pre class="diff" tabIndex={0} aria-label="Changes"><code>
      {props.text.replace(/\n$/, '').split('\n').map((line, i) => <span key={i} class={line.startsWith('+') && !line.startsWith('+++') ? 'add' : line.startsWith('-') && !line.startsWith('---') ? 'del' : ''}>{line || ' '}</span>)}
    </code></pre>
  );
}

export function PreviewPanel(props: { outcome: FixOutcome; onBack: () => void; onNext: () => void }) {
  const plan = props.outcome.plan;
  return (
    <section class="card" aria-label="Preview" data-testid="fix-preview-panel">
      <h2 class="fix-title">{plan?.title ?? props.outcome.summary}</h2>
      {plan?.files.map((f) => (
        <div key={f.path} class="file-change">
          <p class="mono small break">{f.path} <Badge tone="info">{f.role}</Badge> <span class="muted">{f.existed ? `mode ${f.modeAfter.toString(8)}` : 'new file'}</span></p>
          <Diff text={f.diff} />
        </div>
      ))}
      {plan && plan.commands.length > 0 && <><h3>Then runs</h3><pre class="commands">{plan.commands.join('\n')}</pre></>}
      {plan && plan.explanation.length > 0 && (
        <details class="explain">
          <summary>What this changes, in detail</summary>
          {plan.explanation.map((line, i) => <p key={i}>{line}</p>)}
        </details>
      )}
      {plan?.notes.map((note) => <p key={note} class="note small">{note}</p>)}
      {props.outcome.findings.map((f) => <p key={f.id} class="note small"><Badge tone={f.severity}>{f.severity}</Badge> {f.title}</p>)}
      <div class="actions">
        <button type="button" class="secondary" onClick={props.onBack}>Back</button>
        <button type="button" class="primary" onClick={props.onNext} disabled={!plan} data-testid="fix-next">Next: pre-flight</button>
      </div>
    </section>
  );
}

export function PreflightPanel(props: { outcome: FixOutcome; busy: boolean; onBack: () => void; onApply: () => void }) {
  const pre = props.outcome.preflight;
  return (
    <section class="card" aria-label="Pre-flight" data-testid="fix-preflight">
      <h2>Pre-flight</h2>
      {pre ? (
        <>
          <p data-testid="preflight-verdict">{pre.verdict}</p>
          <table class="mini">
            <thead><tr><th>target</th><th>now</th><th>with the fix</th></tr></thead>
            <tbody>
              {pre.before.targets.map((t) => {
                const after = pre.after.targets.find((a) => a.target === t.target);
                return <tr key={t.target}><td class="ellipsis mono">{t.target}</td><td>{t.ok ? 'ok' : t.layer}</td><td>{after ? (after.ok ? 'ok' : after.layer) : '—'}</td></tr>;
              })}
            </tbody>
          </table>
          {pre.worse && <p class="error-text">The fix makes things worse; apply is not recommended.</p>}
        </>
      ) : <p class="muted">{props.outcome.summary}</p>}
      <div class="actions">
        <button type="button" class="secondary" onClick={props.onBack}>Back</button>
        <button type="button" class="primary" onClick={props.onApply} disabled={props.busy || !props.outcome.ok} data-testid="fix-apply">Apply</button>
      </div>
    </section>
  );
}

function Steps(props: { steps: FixStep[] }) {
  return (
    <ol class="steps" data-testid="fix-steps">
      {props.steps.map((s, i) => (
        <li key={i} class={`st-${s.status}`}>
          <Badge tone={s.status === 'ok' ? 'ok' : s.status === 'failed' ? 'critical' : 'info'}>{s.step}</Badge>
          <span class="small ellipsis" title={s.detail}>{s.detail}</span>
          <span class="muted small">{time(s.at)}</span>
        </li>
      ))}
    </ol>
  );
}

export function ApplyPanel(props: { steps: FixStep[]; outcome: FixOutcome | null; busy: boolean }) {
  return (
    <section class="card" aria-label="Apply" aria-busy={props.busy}>
      <h2>{props.busy ? 'Applying…' : props.outcome?.summary ?? 'Apply'}</h2>
      <Steps steps={props.outcome?.steps ?? props.steps} />
    </section>
  );
}

export function VerifyPanel(props: { outcome: FixOutcome; rolledBack: FixOutcome | null; busy: boolean; onRollback: () => void; onDone: () => void }) {
  const { outcome, rolledBack } = props;
  return (
    <section class="card" aria-label="Verify" data-testid="fix-verify">
      <h2 class="fix-title"><Badge tone={outcome.ok ? 'ok' : 'critical'}>{outcome.ok ? 'applied' : 'failed'}</Badge></h2>
      <p class="break">{outcome.summary}</p>
      {outcome.verify && <p data-testid="verify-detail">{outcome.verify.ok ? 'Verified: ' : 'Verification failed: '}{outcome.verify.detail}</p>}
      <Steps steps={outcome.steps} />
      {rolledBack && <p class={rolledBack.ok ? 'note' : 'error-text'} data-testid="rollback-result">{rolledBack.summary}</p>}
      <div class="actions">
        <button type="button" class="danger" onClick={props.onRollback} disabled={props.busy || !outcome.bundleId || rolledBack?.ok === true} data-testid="fix-rollback">{props.busy ? 'Working…' : 'Roll back'}</button>
        <button type="button" class="secondary" onClick={props.onDone}>Done</button>
      </div>
    </section>
  );
}
