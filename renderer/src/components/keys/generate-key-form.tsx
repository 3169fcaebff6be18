/** Generate an ed25519 key in the store, encrypted under a passphrase typed twice. */
import { useState } from 'react';
import { MIN_PASSPHRASE_LENGTH } from '../../../../shared/api-contract';
import { useAction } from '../../hooks/use-action';
import { argProblem } from '../../lib/arg-check';
import { Field } from '../field';
import { FormShell, RememberBox, type KeyringFormProps } from './form-shell';

/** `generate-form`: name, comment, passphrase twice, remember. */
export function GenerateKeyForm({ bridge, keyring, onDone, onCancel }: KeyringFormProps) {
  const [name, setName] = useState('');
  const [comment, setComment] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [remember, setRemember] = useState(keyring.remembers);
  const action = useAction(['passphrase']);
  const nameProblem = name === '' ? undefined : argProblem('generateKey', 'name', name);
  const commentProblem = comment.trim() === '' ? undefined : argProblem('generateKey', 'comment', comment.trim());
  const mismatch = repeat !== '' && repeat !== passphrase ? 'The two passphrases differ.' : undefined;

  const submit = () =>
    action.run(
      async () => {
        const k = await bridge.generateKey({
          name,
          passphrase,
          ...(comment.trim() ? { comment: comment.trim() } : {}),
          ...(keyring.remembers ? { remember } : {}),
        });
        onDone({ message: `Generated ${k.name}: ${k.type} ${k.fingerprint}${k.remembered ? ', passphrase remembered' : ''}.` });
      },
      {
        finally: () => {
          setPassphrase('');
          setRepeat('');
        },
      },
    );

  return (
    <FormShell
      title="Generate an ed25519 key"
      testId="generate-form"
      busy={action.busy}
      submitLabel="Generate"
      busyLabel="Generating…"
      canSubmit={name !== '' && !nameProblem && !commentProblem && passphrase !== '' && repeat === passphrase}
      error={action.message}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <div className="grid">
        <Field
          label="Name"
          errors={nameProblem ? [nameProblem] : []}
          hint={
            <>
              Hosts use it as <code>burrow:{name || 'NAME'}</code>.
            </>
          }
        >
          {(c) => (
            <input
              {...c}
              data-testid="generate-name"
              value={name}
              onChange={(e) => setName(e.target.value.trim())}
              autoComplete="off"
              spellCheck={false}
              required
            />
          )}
        </Field>
        <Field label="Comment" errors={commentProblem ? [commentProblem] : []} hint="Optional; shown beside the key in authorized_keys.">
          {(c) => (
            <input
              {...c}
              data-testid="generate-comment"
              value={comment}
              placeholder={`burrow:${name || 'NAME'}`}
              onChange={(e) => setComment(e.target.value)}
              autoComplete="off"
            />
          )}
        </Field>
        <Field
          label="Passphrase"
          hint={`The key is stored encrypted under it; at least ${MIN_PASSPHRASE_LENGTH} characters.`}
          errors={action.problemsAt('passphrase')}
          errorTestId="generate-passphrase-error"
        >
          {(c) => (
            <input
              {...c}
              type="password"
              data-testid="generate-passphrase"
              value={passphrase}
              onChange={(e) => setPassphrase(e.target.value)}
              autoComplete="new-password"
              required
            />
          )}
        </Field>
        <Field label="Passphrase again" errors={mismatch ? [mismatch] : []}>
          {(c) => (
            <input
              {...c}
              type="password"
              data-testid="generate-passphrase-again"
              value={repeat}
              onChange={(e) => setRepeat(e.target.value)}
              autoComplete="new-password"
              required
            />
          )}
        </Field>
      </div>
      <RememberBox keyring={keyring} checked={remember} onChange={setRemember} testId="generate-remember" />
    </FormShell>
  );
}
