/** Import a private key file into the store; the file itself is left as it is. */
import { useState } from 'react';
import { MIN_PASSPHRASE_LENGTH } from '../../../../shared/api-contract';
import { useAction } from '../../hooks/use-action';
import { argProblem } from '../../lib/arg-check';
import { Field } from '../field';
import { FormShell, RememberBox, type KeyringFormProps } from './form-shell';

/** `import-form`: the file, an optional name, its passphrase and the one to store it under. */
export function ImportKeyForm({ bridge, keyring, onDone, onCancel }: KeyringFormProps) {
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [storePassphrase, setStorePassphrase] = useState('');
  const [remember, setRemember] = useState(keyring.remembers);
  const action = useAction(['path', 'passphrase', 'storePassphrase']);
  const nameProblem = name === '' ? undefined : argProblem('importKey', 'name', name);

  const submit = () =>
    action.run(
      async () => {
        const k = await bridge.importKey({
          path,
          ...(name ? { name } : {}),
          ...(passphrase ? { passphrase } : {}),
          ...(storePassphrase ? { storePassphrase } : {}),
          ...(keyring.remembers ? { remember } : {}),
        });
        onDone({ message: `Imported ${k.name}: ${k.type} ${k.fingerprint}, stored encrypted; ${path} was left as it is.${k.note ? ` Note: ${k.note}.` : ''}` });
      },
      {
        finally: () => {
          setPassphrase('');
          setStorePassphrase('');
        },
      },
    );

  return (
    <FormShell
      title="Import a key file"
      testId="import-form"
      busy={action.busy}
      submitLabel="Import"
      busyLabel="Importing…"
      canSubmit={path.trim() !== '' && !nameProblem && (passphrase !== '' || storePassphrase !== '')}
      error={action.message}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <div className="grid">
        <Field label="Key file" hint="Absolute path of an OpenSSH or PEM private key; the file is not changed." errors={action.problemsAt('path')}>
          {(c) => (
            <input
              {...c}
              data-testid="import-path"
              value={path}
              placeholder="/home/you/.ssh/id_ed25519"
              onChange={(e) => setPath(e.target.value.trim())}
              autoComplete="off"
              spellCheck={false}
              required
            />
          )}
        </Field>
        <Field label="Name" errors={nameProblem ? [nameProblem] : []} hint="Optional; default the file's name.">
          {(c) => (
            <input {...c} data-testid="import-name" value={name} onChange={(e) => setName(e.target.value.trim())} autoComplete="off" spellCheck={false} />
          )}
        </Field>
        <Field label="Its passphrase" hint="If the file is encrypted." errors={action.problemsAt('passphrase')}>
          {(c) => (
            <input
              {...c}
              type="password"
              data-testid="import-passphrase"
              value={passphrase}
              onChange={(e) => setPassphrase(e.target.value)}
              autoComplete="off"
            />
          )}
        </Field>
        <Field
          label="Passphrase to store it under"
          hint={`Needed for an unencrypted file (at least ${MIN_PASSPHRASE_LENGTH} characters); empty keeps an encrypted file's own.`}
          errors={action.problemsAt('storePassphrase')}
          errorTestId="import-store-passphrase-error"
        >
          {(c) => (
            <input
              {...c}
              type="password"
              data-testid="import-store-passphrase"
              value={storePassphrase}
              onChange={(e) => setStorePassphrase(e.target.value)}
              autoComplete="new-password"
            />
          )}
        </Field>
      </div>
      <RememberBox keyring={keyring} checked={remember} onChange={setRemember} testId="import-remember" />
    </FormShell>
  );
}
