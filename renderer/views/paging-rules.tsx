import type { RuleView, SettingsView } from '../types.ts';
import { CHECK_LABEL, CHECKS, fieldId, type CheckRow, type Errors, type PageCheck } from './settings-form.ts';

type Inherited = SettingsView['paging']['inherited'];

/** A compact number cell: empty inherits, the placeholder says what that is. */
function Cell(props: { id: string; value: string; inherited: number; label: string; error?: string; onInput: (value: string) => void }) {
  return (
    <td>
      <input id={props.id} class="input num cell" type="text" inputMode="numeric" value={props.value} placeholder={String(props.inherited)} aria-label={props.label}
        aria-invalid={props.error ? 'true' : undefined} title={props.error ?? `empty: ${props.inherited}`} onInput={(event) => props.onInput((event.currentTarget as HTMLInputElement).value)} />
    </td>
  );
}

/**
 * Each paged check's debounce rule in one row: on, failures before a page,
 * successes before resolved, a reminder every so many seconds (0: never) and
 * whether resolved pages go out. An empty number inherits (built-in rule,
 * then `paging.defaults`), shown as the placeholder.
 */
export function PagingRules(props: { checks: Record<PageCheck, CheckRow>; inherited: Inherited; errors: Errors; onChange: (check: PageCheck, row: CheckRow) => void }) {
  const messages = CHECKS.flatMap((check) => ['failures', 'successes', 'reminder'].map((f) => props.errors[fieldId.check(check, f)]).filter(Boolean).map((m) => `${CHECK_LABEL[check]}: ${m}`));
  return (
    <>
      <table class="rules" aria-label="When to page">
        <thead><tr><th>Check</th><th title="Pages for this check">On</th><th title="Failing looks before a page">Fail ×</th><th title="Good looks before resolved">OK ×</th><th title="Page again while failing, every so many seconds; 0: never">Remind</th><th title="Send a resolved page">Resolved</th></tr></thead>
        <tbody>
          {CHECKS.map((check) => {
            const row = props.checks[check];
            const inherited: RuleView = props.inherited[check];
            const set = (patch: Partial<CheckRow>) => props.onChange(check, { ...row, ...patch });
            const name = CHECK_LABEL[check];
            return (
              <tr key={check} data-check={check}>
                <th scope="row">{name}</th>
                <td><input type="checkbox" checked={row.enabled} aria-label={`${name}: pages on`} onChange={(e) => set({ enabled: (e.currentTarget as HTMLInputElement).checked })} /></td>
                <Cell id={fieldId.check(check, 'failures')} value={row.failureThreshold} inherited={inherited.failureThreshold} label={`${name}: failing looks before a page`} error={props.errors[fieldId.check(check, 'failures')]} onInput={(failureThreshold) => set({ failureThreshold })} />
                <Cell id={fieldId.check(check, 'successes')} value={row.successThreshold} inherited={inherited.successThreshold} label={`${name}: good looks before resolved`} error={props.errors[fieldId.check(check, 'successes')]} onInput={(successThreshold) => set({ successThreshold })} />
                <Cell id={fieldId.check(check, 'reminder')} value={row.reminderIntervalSec} inherited={inherited.reminderIntervalSec} label={`${name}: reminder every seconds`} error={props.errors[fieldId.check(check, 'reminder')]} onInput={(reminderIntervalSec) => set({ reminderIntervalSec })} />
                <td><input type="checkbox" checked={row.sendResolved} aria-label={`${name}: send resolved`} onChange={(e) => set({ sendResolved: (e.currentTarget as HTMLInputElement).checked })} /></td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p class="field-hint">Empty fields inherit the grey value. Fail ×, OK ×: looks in a row before a page or its resolution. Remind: seconds between reminders while failing, 0 for never.</p>
      {messages.map((m) => <p key={m} class="field-error">{m}</p>)}
    </>
  );
}
