/**
 * What the Keys page's forms share: the frame (a titled card, its fields,
 * submit and cancel, the error) and the "remember the passphrase" box.
 * Secrets sit in password fields, go to the engine in one request, and are
 * cleared from the form when it returns, whatever its outcome (each form's
 * action does that in `finally`).
 */
import { useId, type FormEvent, type ReactNode } from 'react';
import type { BurrowBridge, KeyringStatus } from '../../../../shared/api-contract';

/** What a finished form tells the page: a line for the status. */
export interface KeyFormDone {
  message: string;
}

export interface FormShellProps {
  title: string;
  testId: string;
  busy: boolean;
  submitLabel: string;
  busyLabel: string;
  canSubmit: boolean;
  /** The error of the last submit that no field took. */
  error: string | undefined;
  onSubmit: () => Promise<unknown>;
  onCancel: () => void;
  children: ReactNode;
}

/** `<testId>`, `<testId>-submit`, `<testId>-error`. */
export function FormShell({ title, testId, busy, submitLabel, busyLabel, canSubmit, error, onSubmit, onCancel, children }: FormShellProps) {
  const titleId = useId();
  return (
    <form
      className="card key-form"
      data-testid={testId}
      aria-labelledby={titleId}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (!busy && canSubmit) void onSubmit();
      }}
    >
      <h3 id={titleId}>{title}</h3>
      {children}
      <div className="actions">
        <button type="submit" className="primary" data-testid={`${testId}-submit`} disabled={busy || !canSubmit}>
          {busy ? busyLabel : submitLabel}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error ? (
        <p role="alert" className="error-text" data-testid={`${testId}-error`}>
          {error}
        </p>
      ) : null}
    </form>
  );
}

/** Offered only where the system keyring can keep a passphrase. */
export function RememberBox({
  keyring,
  checked,
  onChange,
  testId,
}: {
  keyring: KeyringStatus;
  checked: boolean;
  onChange: (v: boolean) => void;
  testId: string;
}) {
  if (!keyring.remembers) return null;
  return (
    <div className="check-field">
      <label>
        <input type="checkbox" data-testid={testId} checked={checked} onChange={(e) => onChange(e.target.checked)} />
        Remember the passphrase in the system keyring
      </label>
      <p className="hint">Kept encrypted by {keyring.backend}; scheduled runs then unlock the key without asking.</p>
    </div>
  );
}

/** What the generate and import forms get: they may offer to remember the passphrase. */
export interface KeyringFormProps {
  bridge: BurrowBridge;
  keyring: KeyringStatus;
  onDone: (done: KeyFormDone) => void;
  onCancel: () => void;
}
