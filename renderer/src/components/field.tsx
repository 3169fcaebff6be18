/**
 * A labelled form control with its problems right under it. The control is
 * passed in as a render function so it gets the ids that tie label, hint and
 * errors together for screen readers.
 */
import { useId, type ReactNode } from 'react';

export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
}

export interface FieldProps {
  label: string;
  /** Messages from validation for this field. */
  errors?: readonly string[];
  hint?: ReactNode;
  /** Test id for the error line. */
  errorTestId?: string;
  className?: string;
  children: (control: ControlProps) => ReactNode;
}

/** Label, control, hint and inline errors. */
export function Field({ label, errors = [], hint, errorTestId, className, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described = [hint ? hintId : undefined, errors.length > 0 ? errorId : undefined].filter(Boolean).join(' ');
  return (
    <div className={`field${errors.length > 0 ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(described ? { 'aria-describedby': described } : {}),
        ...(errors.length > 0 ? { 'aria-invalid': true } : {}),
      })}
      {hint ? (
        <div className="hint" id={hintId}>
          {hint}
        </div>
      ) : null}
      {errors.length > 0 ? (
        <p className="field-error" id={errorId} data-testid={errorTestId}>
          {errors.join('; ')}
        </p>
      ) : null}
    </div>
  );
}
