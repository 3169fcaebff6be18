/**
 * The Keys page's forms: generate, import, unlock and install on a host.
 * Secrets (passphrases, the host's password) sit in password fields, go to
 * the engine in one request, and are cleared from the form as soon as that
 * request returns, whatever its outcome.
 */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import {
  KEY_NAME_PATTERN,
  KEY_ROLES,
  MAX_UNLOCK_MINUTES,
  MIN_PASSPHRASE_LENGTH,
  type BurrowBridge,
  type HostKeyView,
  type KeyHostView,
  type KeyringStatus,
  type KeyRole,
  type KeyView,
} from '../../../shared/api-contract';
import { errorMessage, fieldOfError } from '../lib/errors';
import { Field } from './field';
import { keyFileKind } from './host-key-fetch';

/** What a finished form tells the page: a line for the status, and the key to show. */
export interface KeyFormDone {
  message: string;
}

interface FormShellProps {
  title: string;
  testId: string;
  busy: boolean;
  submitLabel: string;
  busyLabel: string;
  canSubmit: boolean;
  error: string | undefined;
  onSubmit: () => Promise<void>;
  onCancel: () => void;
  children: ReactNode;
}

/** The frame every key form shares: a titled card, its fields, submit and cancel, the error. */
function FormShell({ title, testId, busy, submitLabel, busyLabel, canSubmit, error, onSubmit, onCancel, children }: FormShellProps) {
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

function RememberBox({ keyring, checked, onChange, testId }: { keyring: KeyringStatus; checked: boolean; onChange: (v: boolean) => void; testId: string }) {
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

/** The problem with a store key name as typed, if any (the engine checks it again). */
export function keyNameProblem(name: string): string | undefined {
  if (name === '') return undefined;
  if (!KEY_NAME_PATTERN.test(name)) return 'Use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit.';
  if (name.endsWith('.pub')) return 'A key name must not end in .pub.';
  return undefined;
}

/** What the generate and import forms get: they may offer to remember the passphrase. */
export interface KeyringFormProps {
  bridge: BurrowBridge;
  keyring: KeyringStatus;
  onDone: (done: KeyFormDone) => void;
  onCancel: () => void;
}

/** `generate-form`: name, comment, passphrase twice, remember. */
export function GenerateKeyForm({ bridge, keyring, onDone, onCancel }: KeyringFormProps) {
  const [name, setName] = useState('');
  const [comment, setComment] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [remember, setRemember] = useState(keyring.remembers);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [failure, setFailure] = useState<unknown>();
  const nameProblem = keyNameProblem(name);
  const mismatch = repeat !== '' && repeat !== passphrase ? 'The two passphrases differ.' : undefined;
  const atField = fieldOfError(failure, ['passphrase']);

  async function submit() {
    setBusy(true);
    setError(undefined);
    setFailure(undefined);
    try {
      const k = await bridge.generateKey({
        name,
        passphrase,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
        ...(keyring.remembers ? { remember } : {}),
      });
      onDone({ message: `Generated ${k.name}: ${k.type} ${k.fingerprint}${k.remembered ? ', passphrase remembered' : ''}.` });
    } catch (err) {
      setError(errorMessage(err));
      setFailure(err);
    } finally {
      setPassphrase('');
      setRepeat('');
      setBusy(false);
    }
  }

  return (
    <FormShell
      title="Generate an ed25519 key"
      testId="generate-form"
      busy={busy}
      submitLabel="Generate"
      busyLabel="Generating…"
      canSubmit={name !== '' && !nameProblem && passphrase !== '' && repeat === passphrase}
      error={atField ? undefined : error}
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
        <Field label="Comment" hint="Optional; shown beside the key in authorized_keys.">
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
          errors={atField ? [atField.message] : []}
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

/** `import-form`: the file, an optional name, its passphrase and the one to store it under. */
export function ImportKeyForm({ bridge, keyring, onDone, onCancel }: KeyringFormProps) {
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [storePassphrase, setStorePassphrase] = useState('');
  const [remember, setRemember] = useState(keyring.remembers);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [failure, setFailure] = useState<unknown>();
  const nameProblem = keyNameProblem(name);
  const atField = fieldOfError(failure, ['passphrase', 'storePassphrase']);

  async function submit() {
    setBusy(true);
    setError(undefined);
    setFailure(undefined);
    try {
      const k = await bridge.importKey({
        path,
        ...(name ? { name } : {}),
        ...(passphrase ? { passphrase } : {}),
        ...(storePassphrase ? { storePassphrase } : {}),
        ...(keyring.remembers ? { remember } : {}),
      });
      onDone({ message: `Imported ${k.name}: ${k.type} ${k.fingerprint}, stored encrypted; ${path} was left as it is.${k.note ? ` Note: ${k.note}.` : ''}` });
    } catch (err) {
      setError(errorMessage(err));
      setFailure(err);
    } finally {
      setPassphrase('');
      setStorePassphrase('');
      setBusy(false);
    }
  }

  return (
    <FormShell
      title="Import a key file"
      testId="import-form"
      busy={busy}
      submitLabel="Import"
      busyLabel="Importing…"
      canSubmit={path.trim() !== '' && !nameProblem && (passphrase !== '' || storePassphrase !== '')}
      error={atField ? undefined : error}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <div className="grid">
        <Field label="Key file" hint="Absolute path of an OpenSSH or PEM private key; the file is not changed.">
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
        <Field label="Its passphrase" hint="If the file is encrypted." errors={atField?.field === 'passphrase' ? [atField.message] : []}>
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
          errors={atField?.field === 'storePassphrase' ? [atField.message] : []}
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const n = minutes.trim() === '' ? undefined : Number(minutes);
  const minutesProblem =
    n !== undefined && (!Number.isInteger(n) || n < 1 || n > MAX_UNLOCK_MINUTES) ? `Whole minutes from 1 to ${MAX_UNLOCK_MINUTES}, or empty.` : undefined;

  async function submit() {
    setBusy(true);
    setError(undefined);
    try {
      const k = await bridge.unlockKey({
        name: keyView.name,
        passphrase,
        ...(n !== undefined ? { minutes: n } : {}),
        ...(keyring.remembers ? { remember } : {}),
      });
      onDone({
        message: `Unlocked ${k.name}${n !== undefined ? ` for ${n} minute${n === 1 ? '' : 's'}` : ' until Burrow stops or you lock it'}${k.remembered ? '; passphrase remembered' : ''}.`,
      });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setPassphrase('');
      setBusy(false);
    }
  }

  return (
    <FormShell
      title={`Unlock ${keyView.name}`}
      testId="unlock-form"
      busy={busy}
      submitLabel="Unlock"
      busyLabel="Unlocking…"
      canSubmit={passphrase !== '' && !minutesProblem}
      error={error}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <div className="grid">
        <Field label="Passphrase">
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
        <Field label="Time limit (minutes)" errors={minutesProblem ? [minutesProblem] : []} hint="Empty: until Burrow stops or you lock it.">
          {(c) => (
            <input {...c} data-testid="unlock-minutes" inputMode="numeric" value={minutes} onChange={(e) => setMinutes(e.target.value)} autoComplete="off" />
          )}
        </Field>
      </div>
      <RememberBox keyring={keyring} checked={remember} onChange={setRemember} testId="unlock-remember" />
    </FormShell>
  );
}

/** One line on what each role lets the key do on the host. */
export const ROLE_TEXT: Record<KeyRole, { label: string; line: string }> = {
  unrestricted: { label: 'Unrestricted', line: 'A normal login: shell and commands, as for your own key. For hosts Burrow checks or administers.' },
  source: {
    label: 'Source',
    line: 'For the source: runs Burrow’s commands and listens on its own loopback for the tunnel; no terminal, no other forwards.',
  },
  destination: {
    label: 'Destination',
    line: 'For the destination: rsync only (through rrsync), writing only below the backup path; no shell, no forwarding.',
  },
};

export interface InstallKeyFormProps {
  bridge: BurrowBridge;
  keyView: KeyView;
  hosts: KeyHostView[];
  onDone: (done: KeyFormDone) => void;
  onCancel: () => void;
}

/**
 * `install-form`: host, role, the backup path for a destination key, the
 * host key's fingerprint for an unpinned host, and the password, asked once.
 */
export function InstallKeyForm({ bridge, keyView, hosts, onDone, onCancel }: InstallKeyFormProps) {
  const [hostName, setHostName] = useState(hosts[0]?.name ?? '');
  const host = hosts.find((h) => h.name === hostName);
  const [role, setRole] = useState<KeyRole>('unrestricted');
  const [path, setPath] = useState('');
  const [password, setPassword] = useState('');
  const [offer, setOffer] = useState<HostKeyView & { host: string }>();
  const [confirmed, setConfirmed] = useState(false);
  const [fetching, setFetching] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const roleName = useId();
  const pathDefault = host?.destinationPaths.length === 1 ? host.destinationPaths[0] : undefined;
  const currentOffer = offer && offer.host === hostName ? offer : undefined;
  const needsFingerprint = host !== undefined && !host.pinned;
  const fingerprintReady = !needsFingerprint || (currentOffer !== undefined && confirmed);

  async function fetchKey() {
    if (!host) return;
    setFetching(true);
    setError(undefined);
    setConfirmed(false);
    try {
      setOffer({ ...(await bridge.fetchHostKey({ hostname: host.hostname, port: host.port })), host: host.name });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setFetching(false);
    }
  }

  async function submit() {
    setBusy(true);
    setError(undefined);
    try {
      const r = await bridge.installKey({
        name: keyView.name,
        host: hostName,
        role,
        password,
        ...(role === 'destination' && path.trim() ? { path: path.trim() } : {}),
        ...(needsFingerprint && currentOffer ? { fingerprint: currentOffer.fingerprint } : {}),
      });
      const what = r.outcome === 'present' ? 'was already installed' : r.outcome;
      onDone({
        message:
          `Key ${keyView.name} ${what} on ${hostName}${role === 'unrestricted' ? '' : ` (restricted: ${role})`}.` +
          `${r.pinned ? ` Pinned ${hostName}'s host key ${r.pinned}.` : ''}${r.hint ? ` Next: ${r.hint}.` : ''}`,
      });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setPassword(''); // used once, never kept
      setBusy(false);
    }
  }

  if (hosts.length === 0) {
    return (
      <div className="card key-form" data-testid="install-form">
        <h3>Install {keyView.name} on a host</h3>
        <p>No hosts yet: add the host in Settings first.</p>
        <button type="button" onClick={onCancel}>
          Close
        </button>
      </div>
    );
  }

  return (
    <FormShell
      title={`Install ${keyView.name} on a host`}
      testId="install-form"
      busy={busy}
      submitLabel="Install"
      busyLabel="Installing…"
      canSubmit={
        host !== undefined &&
        password !== '' &&
        fingerprintReady &&
        (role !== 'destination' || path.trim().startsWith('/') || (path.trim() === '' && pathDefault !== undefined))
      }
      error={error}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <div className="grid">
        <Field
          label="Host"
          hint={host ? `${host.user}@${host.hostname}:${host.port}${host.pinned ? ', host key pinned' : ', host key not pinned yet'}` : undefined}
        >
          {(c) => (
            <select {...c} data-testid="install-host" value={hostName} onChange={(e) => setHostName(e.target.value)}>
              {hosts.map((h) => (
                <option key={h.name} value={h.name}>
                  {h.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        {role === 'destination' ? (
          <Field label="Backup path" hint="The only directory the key may write below.">
            {(c) => (
              <input
                {...c}
                data-testid="install-path"
                value={path}
                placeholder={pathDefault ?? '/backups'}
                onChange={(e) => setPath(e.target.value)}
                autoComplete="off"
                spellCheck={false}
              />
            )}
          </Field>
        ) : null}
      </div>
      <fieldset className="roles">
        <legend>Role</legend>
        {KEY_ROLES.map((r) => (
          <div className="check-field" key={r}>
            <label>
              <input
                type="radio"
                name={roleName}
                value={r}
                data-testid={`install-role-${r}`}
                checked={role === r}
                onChange={() => setRole(r)}
                aria-describedby={`${roleName}-${r}`}
              />
              {ROLE_TEXT[r].label}
            </label>
            <p className="hint" id={`${roleName}-${r}`}>
              {ROLE_TEXT[r].line}
            </p>
          </div>
        ))}
      </fieldset>
      {needsFingerprint ? (
        <div className="key-offer" role="group" aria-label="Host key to confirm">
          <p>
            {hostName} has no pinned host key. Fetch it and compare its fingerprint with the host's own (
            <code>ssh-keygen -lf /etc/ssh/ssh_host_{currentOffer ? keyFileKind(currentOffer.type) : '*'}_key.pub</code> on it) before sending a password.
          </p>
          <button type="button" data-testid="install-fetch-host-key" disabled={fetching} onClick={() => void fetchKey()}>
            {fetching ? 'Fetching…' : 'Fetch host key'}
          </button>
          {currentOffer ? (
            <>
              <p className="mono fingerprint" data-testid="install-host-fingerprint">
                {currentOffer.type} {currentOffer.fingerprint}
              </p>
              <label className="check">
                <input type="checkbox" data-testid="install-confirm-fingerprint" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />I
                compared this fingerprint with the host's own: trust and pin it
              </label>
            </>
          ) : null}
        </div>
      ) : null}
      <Field label={host ? `Password of ${host.user}@${host.hostname}` : 'Password'} hint="Used once to log in and add the key; never stored or logged.">
        {(c) => (
          <input
            {...c}
            type="password"
            data-testid="install-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="off"
            required
          />
        )}
      </Field>
    </FormShell>
  );
}
