import { useState } from 'react';
import { errorMessage } from '../lib/errors';

/**
 * A button's action: `busy` while it runs, then its `message` (what the
 * action returned, or its error), and `after` either way (to fetch the state
 * again, say).
 */
export function useAction(after?: () => void) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();
  async function run(action: () => Promise<string | undefined>): Promise<void> {
    setBusy(true);
    setMessage(undefined);
    try {
      setMessage(await action());
    } catch (err) {
      setMessage(errorMessage(err));
    } finally {
      setBusy(false);
      after?.();
    }
  }
  return { busy, message, run };
}
