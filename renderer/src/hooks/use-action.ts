import { useState } from 'react';
import { errorMessage, fieldOfError } from '../lib/errors';

export interface ActionOptions {
  /** Runs whatever happened, before `busy` ends: to clear secrets from a form, say. */
  finally?: () => void;
}

/**
 * A button's or a form's action, written once: `busy` while it runs, then
 * its `message` (what the action returned, or its error in words). When the
 * engine's error names one of `fields` (the reply's problems, by path),
 * `problemsAt(field)` puts it at that field instead and `message` stays
 * empty, so a form shows it where it belongs.
 */
export function useAction(fields: readonly string[] = []) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();
  const [failure, setFailure] = useState<unknown>();
  const atField = fieldOfError(failure, fields);

  async function run(action: () => Promise<string | undefined | void>, opts: ActionOptions = {}): Promise<boolean> {
    setBusy(true);
    setMessage(undefined);
    setFailure(undefined);
    try {
      setMessage((await action()) ?? undefined);
      return true;
    } catch (err) {
      setFailure(err);
      if (!fieldOfError(err, fields)) setMessage(errorMessage(err));
      return false;
    } finally {
      opts.finally?.();
      setBusy(false);
    }
  }

  return {
    busy,
    message,
    /** Whether the last run failed (its message is then an error). */
    failed: failure !== undefined,
    /** The engine's words for this field after a failed run, if it named it. */
    problemsAt: (field: string): string[] => (atField?.field === field ? [atField.message] : []),
    run,
  };
}
