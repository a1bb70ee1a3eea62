import { useEffect, useState } from 'preact/hooks';
import { api, type SettingsView } from '../api.ts';
import { Check, Field } from '../components/field.tsx';
import { SkeletonRows } from '../components/skeleton.tsx';
import { errorText } from '../format.ts';
import { KIND_LABEL, NotifierCard } from './notifier-card.tsx';
import { PagingRules } from './paging-rules.tsx';
import { editFromForm, fieldId, formFromView, INTERVALS, isStale, newNotifier, STALE_SETTINGS, validate, type NotifierRow, type SettingsForm } from './settings-form.ts';

/** What the save bar says; `reload` when the settings file changed under the form, which only a reload can go on from. */
type Status = { tone: 'ok' | 'critical'; text: string; reload?: boolean } | null;

/**
 * The settings the app and the headless watcher share (one file, which the
 * CLI reads too): check intervals, the time server, the metrics port, login
 * item, and paging — notifiers, heartbeat and when to page. Secrets never
 * reach this page: see settings-form.ts.
 */
export function SettingsPage() {
  const [view, setView] = useState<SettingsView | null>(null);
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [initial, setInitial] = useState('');
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Status>(null);
  const [adding, setAdding] = useState<NotifierRow['kind']>('webhook');

  const show = (next: SettingsView) => {
    const filled = formFromView(next);
    setView(next);
    setForm(filled);
    setInitial(JSON.stringify(filled));
    setTouched(new Set());
    setSubmitted(false);
  };
  const load = () => api.getSettings().then(show, (failure) => setStatus({ tone: 'critical', text: errorText(failure) }));
  useEffect(() => { void load(); }, []);

  if (!form || !view) return <div class="stack">{status ? <p class="error-text" role="alert">{status.text}</p> : <SkeletonRows rows={8} />}</div>;

  const all = validate(form);
  const errors = Object.fromEntries(Object.entries(all).filter(([id]) => submitted || touched.has(id) || [...touched].some((t) => id.startsWith(t))));
  const dirty = JSON.stringify(form) !== initial;
  const change = (next: SettingsForm, id: string) => { setForm(next); setTouched(new Set(touched).add(id)); setStatus(null); };
  const field = (id: string, label: string, value: string, set: (value: string) => SettingsForm, extra: Partial<Parameters<typeof Field>[0]> = {}) => (
    <Field id={id} label={label} value={value} error={errors[id]} onInput={(typed) => change(set(typed), id)} {...extra} />
  );
  const setRow = (index: number, row: NotifierRow) => change({ ...form, notifiers: form.notifiers.map((r, i) => (i === index ? row : r)) }, `set-${row.key}`);

  const save = async () => {
    setSubmitted(true);
    const problems = Object.keys(all);
    if (problems.length > 0) {
      setStatus({ tone: 'critical', text: `Not saved: ${problems.length === 1 ? 'one field needs' : `${problems.length} fields need`} attention` });
      document.getElementById(problems[0]!)?.focus();
      return;
    }
    setBusy(true);
    try {
      show(await api.setSettings(editFromForm(form, view)));
      setStatus({ tone: 'ok', text: 'Saved' });
    } catch (failure) {
      const text = errorText(failure);
      // The Reload button beside it says what to do; the line stays short enough to read whole.
      setStatus(isStale(text) ? { tone: 'critical', text: `Not saved: ${STALE_SETTINGS}`, reload: true } : { tone: 'critical', text: `Not saved: ${text}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="stack settings" onSubmit={(event) => { event.preventDefault(); void save(); }} noValidate data-testid="settings-form">
      <section class="card" aria-labelledby="set-checks-title">
        <h2 id="set-checks-title">Checks</h2>
        <div class="grid-2">
          {INTERVALS.map(([key, label]) => field(fieldId.interval(key), `${label} every`, form.intervals[key], (v) => ({ ...form, intervals: { ...form.intervals, [key]: v } }), { kind: 'number', unit: 's' }))}
          {field('set-ntpServer', 'Time server', form.ntpServer, (ntpServer) => ({ ...form, ntpServer }), { placeholder: "the Mac's own" })}
          {field('set-metricsPort', 'Metrics port (127.0.0.1)', form.metricsPort, (metricsPort) => ({ ...form, metricsPort }), { kind: 'number', placeholder: 'off' })}
        </div>
        <Check id="set-launchAtLogin" label="Open clawbar at login" checked={form.launchAtLogin} onChange={(launchAtLogin) => change({ ...form, launchAtLogin }, 'set-launchAtLogin')} />
      </section>

      <section class="card" aria-labelledby="set-paging-title">
        <h2 id="set-paging-title">Paging</h2>
        <p class="muted small">Pages go off the Mac when a check changes state; the headless watcher (<code>clawbar watch</code>) uses the same list. URLs and credentials stay in the settings file: a field left empty keeps what is stored.</p>
        {field('set-node', 'Node name in pages', form.node, (node) => ({ ...form, node }), { placeholder: "this Mac's host name" })}
        {form.notifiers.length === 0 && <p class="muted small" data-testid="no-notifiers">No notifiers: nothing is paged.</p>}
        <ul class="notifiers">
          {form.notifiers.map((row, i) => (
            <NotifierCard key={row.key} row={row} index={i} errors={errors} saved={!dirty} revision={view.revision} onChange={(next) => setRow(i, next)}
              onStale={() => setStatus({ tone: 'critical', text: 'The settings file changed since this form was loaded: reload it to send a test page', reload: true })}
              onRemove={() => change({ ...form, notifiers: form.notifiers.filter((_, j) => j !== i) }, 'set-notifiers')} />
          ))}
        </ul>
        <div class="actions tight">
          <select class="input" value={adding} aria-label="Kind of notifier to add" onChange={(e) => setAdding((e.currentTarget as HTMLSelectElement).value as NotifierRow['kind'])}>
            {Object.entries(KIND_LABEL).map(([kind, label]) => <option key={kind} value={kind}>{label}</option>)}
          </select>
          <button type="button" class="small" disabled={form.notifiers.length >= 10} onClick={() => change({ ...form, notifiers: [...form.notifiers, newNotifier(adding)] }, 'set-notifiers')} data-testid="add-notifier">Add notifier</button>
        </div>
        {field('set-heartbeat', 'Heartbeat URL, called every cycle (a dead man\'s switch)', form.heartbeatUrl, (heartbeatUrl) => ({ ...form, heartbeatUrl, removeHeartbeat: false }), {
          placeholder: form.removeHeartbeat ? 'will be turned off' : form.heartbeatHint ? `kept: ${form.heartbeatHint}` : 'off',
          hint: form.heartbeatHint && !form.heartbeatUrl ? <button type="button" class="link small" onClick={() => change({ ...form, removeHeartbeat: !form.removeHeartbeat }, 'set-heartbeat')}>{form.removeHeartbeat ? 'Keep it' : 'Turn it off'}</button> : undefined,
        })}
        {field('set-confirmAfterSec', 'A failure or recovery gets a second look after', form.confirmAfterSec, (confirmAfterSec) => ({ ...form, confirmAfterSec }), { kind: 'number', unit: 's' })}
      </section>

      <section class="card" aria-labelledby="set-rules-title">
        <h2 id="set-rules-title">When to page</h2>
        <PagingRules checks={form.checks} inherited={view.paging.inherited} errors={errors} onChange={(check, row) => change({ ...form, checks: { ...form.checks, [check]: row } }, `set-${check}`)} />
      </section>

      <div class="save-bar">
        <button type="submit" class="primary" disabled={busy || !dirty} data-testid="settings-save">{busy ? 'Saving…' : 'Save'}</button>
        {status?.reload
          ? <button type="button" class="secondary" disabled={busy} onClick={() => { setStatus(null); void load(); }} data-testid="settings-reload">Reload</button>
          : <button type="button" class="secondary" disabled={busy || !dirty} onClick={() => { setStatus(null); void load(); }}>Revert</button>}
        <span class={`small grow ${status?.reload ? '' : 'ellipsis'} ${status?.tone === 'critical' ? 'error-text' : 'muted'}`} role="status" data-testid="settings-status" title={status?.text}>{status?.text ?? (dirty ? 'Unsaved changes' : '')}</span>
      </div>
    </form>
  );
}
