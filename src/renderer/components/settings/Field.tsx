// One labelled setting: the input, a help line and the API's refusal right under it. The input is
// given its id and the ids of the help and error texts, so screen readers read them with it.
import { useEffect, useId, useState, type ReactNode } from 'react';
import { wholeNumberFrom } from '../../settings/draft.ts';

export interface InputWiring {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

interface FieldProps {
  label: string;
  help?: string | undefined;
  errors?: readonly string[] | undefined;
  /** Spans the whole row of the field grid. */
  wide?: boolean;
  children: (wiring: InputWiring) => ReactNode;
}

export function Field({ label, help, errors, wide = false, children }: FieldProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const invalid = (errors?.length ?? 0) > 0;
  const describedBy = [help ? helpId : null, invalid ? errorId : null].filter(Boolean).join(' ');
  const wiring: InputWiring = { id, ...(describedBy ? { 'aria-describedby': describedBy } : {}), ...(invalid ? { 'aria-invalid': true as const } : {}) };
  return (
    <div className={`field${wide ? ' field-wide' : ''}${invalid ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(wiring)}
      {help ? (
        <p id={helpId} className="field-help">
          {help}
        </p>
      ) : null}
      <FieldErrors id={errorId} messages={errors} />
    </div>
  );
}

/** The API's messages for one field (English: they come from the agent's validation). */
export function FieldErrors({ id, messages }: { id?: string; messages: readonly string[] | undefined }) {
  if (!messages || messages.length === 0) return null;
  return (
    <ul id={id} className="field-errors" role="alert" data-testid="field-error">
      {messages.map((message) => (
        <li key={message}>{message}</li>
      ))}
    </ul>
  );
}

interface TextFieldProps {
  label: string;
  help?: string | undefined;
  errors?: readonly string[] | undefined;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  wide?: boolean;
  mono?: boolean;
  readOnly?: boolean;
}

export function TextField({ label, help, errors, value, onChange, placeholder, wide, mono = false, readOnly = false }: TextFieldProps) {
  return (
    <Field label={label} help={help} errors={errors} wide={wide ?? false}>
      {(wiring) => (
        <input
          {...wiring}
          type="text"
          className={mono ? 'mono' : undefined}
          value={value}
          placeholder={placeholder}
          readOnly={readOnly}
          spellCheck={false}
          autoComplete="off"
          onChange={(event) => onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

interface NumberFieldProps {
  label: string;
  help?: string | undefined;
  errors?: readonly string[] | undefined;
  value: number;
  onChange: (value: number) => void;
  /** Shown instead of the API's errors while the text is not a whole number. */
  notANumber: string;
}

/**
 * A whole number. What is typed stays on screen as typed; the settings get NaN for anything that
 * is not a whole number (the API refuses it), and the field says so at once.
 */
export function NumberField({ label, help, errors, value, onChange, notANumber }: NumberFieldProps) {
  const [text, setText] = useState(() => (Number.isFinite(value) ? String(value) : ''));
  // A value set from outside (loaded, saved) replaces the text unless the text already means it.
  useEffect(() => {
    setText((current) => (Object.is(wholeNumberFrom(current), value) || !Number.isFinite(value) ? current : String(value)));
  }, [value]);
  const typedBadly = Number.isNaN(wholeNumberFrom(text));
  return (
    <Field label={label} help={help} errors={typedBadly ? [notANumber] : errors}>
      {(wiring) => (
        <input
          {...wiring}
          type="text"
          inputMode="numeric"
          className="number-input"
          value={text}
          autoComplete="off"
          onChange={(event) => {
            setText(event.target.value);
            onChange(wholeNumberFrom(event.target.value));
          }}
        />
      )}
    </Field>
  );
}
