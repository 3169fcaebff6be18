/**
 * Install a store key on a configured host with a role, logging in once with
 * the host's password (used for that login only, never kept); an unpinned
 * host's key is fetched and confirmed first.
 */
import { useId, useState } from 'react';
import { KEY_ROLES, type BurrowBridge, type HostKeyView, type KeyHostView, type KeyRole, type KeyView } from '../../../../shared/api-contract';
import { useAction } from '../../hooks/use-action';
import { argProblem } from '../../lib/arg-check';
import { Field } from '../field';
import { keyFileKind } from '../host-key-fetch';
import { FormShell, type KeyFormDone } from './form-shell';

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
  const fetching = useAction();
  const action = useAction(['path', 'password', 'fingerprint']);
  const roleName = useId();
  const pathDefault = host?.destinationPaths.length === 1 ? host.destinationPaths[0] : undefined;
  const currentOffer = offer && offer.host === hostName ? offer : undefined;
  const needsFingerprint = host !== undefined && !host.pinned;
  const fingerprintReady = !needsFingerprint || (currentOffer !== undefined && confirmed);
  const pathProblem = role === 'destination' && path.trim() !== '' ? argProblem('installKey', 'path', path.trim()) : undefined;
  const pathReady = role !== 'destination' || (path.trim() === '' ? pathDefault !== undefined : !pathProblem);

  const fetchKey = () =>
    fetching.run(async () => {
      if (!host) return;
      setConfirmed(false);
      const key = await bridge.fetchHostKey({ hostname: host.hostname, port: host.port, name: host.name, user: host.user });
      setOffer({ ...key, host: host.name });
    });

  const submit = () =>
    action.run(
      async () => {
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
      },
      { finally: () => setPassword('') },
    );

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
      busy={action.busy}
      submitLabel="Install"
      busyLabel="Installing…"
      canSubmit={host !== undefined && password !== '' && fingerprintReady && pathReady}
      error={action.message ?? fetching.message}
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
          <Field label="Backup path" hint="The only directory the key may write below." errors={pathProblem ? [pathProblem] : action.problemsAt('path')}>
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
          <button type="button" data-testid="install-fetch-host-key" disabled={fetching.busy} onClick={() => void fetchKey()}>
            {fetching.busy ? 'Fetching…' : 'Fetch host key'}
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
      <Field
        label={host ? `Password of ${host.user}@${host.hostname}` : 'Password'}
        hint="Used once to log in and add the key; never stored or logged."
        errors={action.problemsAt('password')}
      >
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
