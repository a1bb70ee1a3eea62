import { useState } from 'preact/hooks';
import { api, type TestPageResult } from '../api.ts';
import { Badge } from '../components/badge.tsx';
import { Field } from '../components/field.tsx';
import { errorText } from '../format.ts';
import { fieldId, isStale, type Errors, type NotifierRow } from './settings-form.ts';

export const KIND_LABEL: Record<NotifierRow['kind'], string> = { webhook: 'Webhook', slack: 'Slack', alertmanager: 'Alertmanager' };

/** What a kept secret's field says instead of its value. */
const kept = (hint: string | null) => (hint ? `kept: ${hint}` : '');

/** A stored credential: kept while the field stays empty, replaced by what is typed, or removed. */
function Credential(props: { row: NotifierRow; field: 'password' | 'token'; label: string; errors: Errors; onChange: (row: NotifierRow) => void }) {
  const { row, field } = props;
  const isSet = field === 'password' ? row.passwordSet : row.tokenSet;
  const removing = field === 'password' ? row.removePassword : row.removeToken;
  const value = field === 'password' ? row.password : row.bearerToken;
  const set = (patch: Partial<NotifierRow>) => props.onChange({ ...row, ...patch });
  return (
    <Field
      id={fieldId.notifier(row, field)} label={props.label} kind="secret" value={value} error={props.errors[fieldId.notifier(row, field)]}
      placeholder={removing ? 'will be removed' : isSet ? 'set, kept' : 'none'}
      onInput={(typed) => set(field === 'password' ? { password: typed, removePassword: false } : { bearerToken: typed, removeToken: false })}
      hint={isSet && !value ? (
        <button type="button" class="link small" onClick={() => set(field === 'password' ? { removePassword: !removing } : { removeToken: !removing })}>
          {removing ? 'Keep it' : 'Remove it'}
        </button>
      ) : undefined}
    />
  );
}

/**
 * One notifier in the settings form. A stored notifier's URL field starts
 * empty, its hint beside it: what is typed replaces the URL, an empty field
 * keeps it. "Send test page" sends to the stored notifier, so it waits
 * until the form is saved (and is refused once the file changed since).
 */
export function NotifierCard(props: { row: NotifierRow; index: number; errors: Errors; saved: boolean; revision: string; onChange: (row: NotifierRow) => void; onRemove: () => void; onStale: () => void }) {
  const { row, errors } = props;
  const [test, setTest] = useState<{ busy: boolean; result: TestPageResult | null; error: string | null }>({ busy: false, result: null, error: null });
  const set = (patch: Partial<NotifierRow>) => props.onChange({ ...row, ...patch });
  const canTest = props.saved && row.from !== null;
  const sendTest = async () => {
    setTest({ busy: true, result: null, error: null });
    try {
      setTest({ busy: false, result: await api.testPage({ index: row.from!, revision: props.revision }), error: null });
    } catch (failure) {
      const text = errorText(failure);
      setTest({ busy: false, result: null, error: text });
      if (isStale(text)) props.onStale();
    }
  };
  const result = test.result;
  return (
    <li class="notifier" data-notifier={props.index} data-kind={row.kind}>
      <div class="notifier-head">
        <Badge tone="info">{KIND_LABEL[row.kind]}</Badge>
        <span class="muted small grow">{row.from === null ? 'new notifier' : `notifier ${props.index + 1}`}</span>
        <button type="button" class="link small" onClick={props.onRemove} aria-label={`Remove notifier ${props.index + 1}`}>Remove</button>
      </div>
      <Field id={fieldId.notifier(row, 'name')} label="Name (in logs, never the URL)" value={row.name} error={errors[fieldId.notifier(row, 'name')]} placeholder={`${row.kind}#${props.index + 1}`} onInput={(name) => set({ name })} />
      <Field
        id={fieldId.notifier(row, 'url')} label={row.kind === 'alertmanager' ? 'Alertmanager URL' : row.kind === 'slack' ? 'Incoming webhook URL' : 'Webhook URL'}
        value={row.url} error={errors[fieldId.notifier(row, 'url')]} onInput={(url) => set({ url })}
        placeholder={row.from !== null ? kept(row.urlHint) : row.kind === 'alertmanager' ? 'http://alertmanager.example:9093' : 'https://…'}
        hint={row.from !== null ? 'Leave empty to keep the stored URL; type a new one to replace it.' : undefined}
      />
      {row.kind === 'webhook' && row.headerNames.length > 0 && <p class="field-hint">Headers kept as they are: {row.headerNames.join(', ')}</p>}
      {row.kind === 'alertmanager' && (
        <div class="grid-2">
          <Field id={fieldId.notifier(row, 'username')} label="User name" value={row.username} error={errors[fieldId.notifier(row, 'username')]} placeholder="none" onInput={(username) => set({ username })} />
          <Credential row={row} field="password" label="Password" errors={errors} onChange={props.onChange} />
          <Credential row={row} field="token" label="Bearer token" errors={errors} onChange={props.onChange} />
          <Field id={fieldId.notifier(row, 'repost')} label="Re-post every" kind="number" unit="s" value={row.repostIntervalSec} error={errors[fieldId.notifier(row, 'repost')]} placeholder="60" onInput={(repostIntervalSec) => set({ repostIntervalSec })} />
        </div>
      )}
      <div class="actions tight">
        <button type="button" class="small" disabled={!canTest || test.busy} onClick={() => void sendTest()} title={canTest ? undefined : 'Save first: the test page goes to the stored notifier'} data-testid="test-page">
          {test.busy ? 'Sending…' : 'Send test page'}
        </button>
        <span class="small ellipsis" role="status" data-testid="test-page-result">
          {result && (result.ok ? <Badge tone="ok">sent</Badge> : <Badge tone="critical">failed</Badge>)}
          {result && <span class="muted"> {result.error ?? `HTTP ${result.status}`} · {result.via}</span>}
          {test.error && <span class="error-text">{test.error}</span>}
          {!canTest && !result && <span class="muted">{row.from === null ? 'New: save to test it' : 'Save to test'}</span>}
        </span>
      </div>
    </li>
  );
}
