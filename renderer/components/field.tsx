import type { ComponentChildren } from 'preact';

export interface FieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  error?: string | null;
  hint?: ComponentChildren;
  placeholder?: string;
  /** Numbers are text with a numeric keyboard: the form's own check says what is wrong, not the browser's. */
  kind?: 'text' | 'number' | 'secret';
  unit?: string;
  class?: string;
}

/**
 * One labelled input with its hint and its error under it, tied together for
 * screen readers (aria-describedby, aria-invalid). Fixed layout: an error
 * appearing adds a line, it never moves the input sideways.
 */
export function Field(props: FieldProps) {
  const hintId = props.hint ? `${props.id}-hint` : null;
  const errorId = props.error ? `${props.id}-error` : null;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  const common = {
    id: props.id, class: `input ${props.kind === 'number' ? 'num' : ''}`, value: props.value, placeholder: props.placeholder, spellcheck: false, autocomplete: 'off',
    'aria-invalid': props.error ? ('true' as const) : undefined, 'aria-describedby': describedBy,
    onInput: (event: Event) => props.onInput((event.currentTarget as HTMLInputElement).value),
  };
  return (
    <label class={`field ${props.class ?? ''}`}>
      <span class="field-label">{props.label}</span>
      <span class="field-input">
        {props.kind === 'secret' ? <input type="password" {...common} /> : <input type="text" inputMode={props.kind === 'number' ? 'numeric' : undefined} {...common} />}
        {props.unit && <span class="muted small">{props.unit}</span>}
      </span>
      {props.error && <span id={errorId!} class="field-error">{props.error}</span>}
      {props.hint && <span id={hintId!} class="field-hint">{props.hint}</span>}
    </label>
  );
}

/** A checkbox with its label on the right, the way macOS lays them out. */
export function Check(props: { id: string; label: ComponentChildren; checked: boolean; onChange: (checked: boolean) => void; title?: string }) {
  return (
    <label class="check-field" title={props.title}>
      <input id={props.id} type="checkbox" checked={props.checked} onChange={(event) => props.onChange((event.currentTarget as HTMLInputElement).checked)} />
      <span>{props.label}</span>
    </label>
  );
}
