/** Unlock a store key for a while, or until Burrow stops. */
import { useState } from 'react';
import type { BurrowBridge, KeyringStatus, KeyView } from '../../../../shared/api-contract';
import { useAction } from '../../hooks/use-action';
import { argProblem } from '../../lib/arg-check';
import { Field } from '../field';
import { FormShell, RememberBox, type KeyFormDone } from './form-shell';

export interface UnlockKeyFormProps {
  bridge: BurrowBridge;
  keyring: KeyringStatus;
  keyView: KeyView;
  onDone: (done: KeyFormDone) => void;
  onCancel: () => void;
}

/** `unlock-form`: the passphrase, an optional time limit in minutes, remember. */
export function UnlockKeyForm({ bridge, keyring, keyView, onDone, onCancel }: UnlockKeyFormProps) {
  const [passphrase, setPassphrase] = useState('');
  const [minutes, setMinutes] = useState('');
  const [remember, setRemember] = useState(false);
  const action = useAction(['passphrase', 'minutes']);
  const n = minutes.trim() === '' ? undefined : Number(minutes);
  const minutesProblem = n === undefined ? undefined : argProblem('unlockKey', 'minutes', n);

  const submit = () =>
    action.run(
      async () => {
        const k = await bridge.unlockKey({
          name: keyView.name,
          passphrase,
          ...(n !== undefined ? { minutes: n } : {}),
          ...(keyring.remembers ? { remember } : {}),
        });
        onDone({
          message: `Unlocked ${k.name}${n !== undefined ? ` for ${n} minute${n === 1 ? '' : 's'}` : ' until Burrow stops or you lock it'}${k.remembered ? '; passphrase remembered' : ''}.`,
        });
      },
      { finally: () => setPassphrase('') },
    );

  return (
    <FormShell
      title={`Unlock ${keyView.name}`}
      testId="unlock-form"
      busy={action.busy}
      submitLabel="Unlock"
      busyLabel="Unlocking…"
      canSubmit={passphrase !== '' && !minutesProblem}
      error={action.message}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <div className="grid">
        <Field label="Passphrase" errors={action.problemsAt('passphrase')}>
          {(c) => (
            <input
              {...c}
              type="password"
              data-testid="unlock-passphrase"
              value={passphrase}
              onChange={(e) => setPassphrase(e.target.value)}
              autoComplete="current-password"
              autoFocus
              required
            />
          )}
        </Field>
        <Field
          label="Time limit (minutes)"
          errors={minutesProblem ? [minutesProblem] : action.problemsAt('minutes')}
          hint="Empty: until Burrow stops or you lock it."
        >
          {(c) => (
            <input {...c} data-testid="unlock-minutes" inputMode="numeric" value={minutes} onChange={(e) => setMinutes(e.target.value)} autoComplete="off" />
          )}
        </Field>
      </div>
      <RememberBox keyring={keyring} checked={remember} onChange={setRemember} testId="unlock-remember" />
    </FormShell>
  );
}
