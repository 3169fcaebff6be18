/**
 * Burrow's key store in the window: the keys with their fingerprints and
 * comments, generate and import, unlock for a while or lock, install a key
 * on a configured host with a role, and delete after a confirmation. No
 * private material ever reaches this page.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppState, BurrowBridge, KeysOverview, KeyView } from '../../../shared/api-contract';
import type { KeyFormDone } from '../components/keys/form-shell';
import { GenerateKeyForm } from '../components/keys/generate-key-form';
import { ImportKeyForm } from '../components/keys/import-key-form';
import { InstallKeyForm } from '../components/keys/install-key-form';
import { UnlockKeyForm } from '../components/keys/unlock-key-form';
import { errorMessage } from '../lib/errors';
import { CopyButton } from '../components/copy-button';
import { DataTable } from '../components/data-table';
import { SourceGates } from '../components/source-gates';

export interface KeysPageProps {
  bridge: BurrowBridge;
  state: AppState;
}

type Open = { form: 'generate' } | { form: 'import' } | { form: 'unlock' | 'install' | 'delete'; name: string } | undefined;

/** `key-row` (data-name), `key-fingerprint-<name>`, `keys-generate`, `keys-import`, `unlock-<name>`, `lock-<name>`, `install-<name>`, `delete-<name>`, `confirm-delete`, `keys-status`. */
export function KeysPage({ bridge, state }: KeysPageProps) {
  const [overview, setOverview] = useState<KeysOverview>();
  const [open, setOpen] = useState<Open>();
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setOverview(await bridge.listKeys({}));
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [bridge]);

  useEffect(() => {
    void load();
  }, [load, state.configPath]);

  const done = (d: KeyFormDone) => {
    setOpen(undefined);
    setError(undefined);
    setStatus(d.message);
    void load();
  };

  async function act(what: () => Promise<string>) {
    setBusy(true);
    setError(undefined);
    setStatus(undefined);
    try {
      setStatus(await what());
      setOpen(undefined);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
      await load();
    }
  }

  const keyring = overview?.keyring ?? state.keyring;
  const selected = open && 'name' in open ? overview?.keys.find((k) => k.name === open.name) : undefined;
  const cancel = () => setOpen(undefined);

  return (
    <section className="page" aria-labelledby="keys-title">
      <div className="page-head">
        <h2 id="keys-title">Keys</h2>
        <div className="actions">
          <button type="button" className="primary" data-testid="keys-generate" onClick={() => setOpen({ form: 'generate' })}>
            Generate key…
          </button>
          <button type="button" data-testid="keys-import" onClick={() => setOpen({ form: 'import' })}>
            Import key…
          </button>
        </div>
      </div>
      <p className="muted">
        Burrow's own SSH keys, every private key encrypted at rest
        {overview ? (
          <>
            {' '}
            in <code>{overview.dir}</code>
          </>
        ) : null}
        . A host logs in with one when its identity file is <code>burrow:NAME</code>; an unlocked key lives only in memory.
      </p>
      {keyring?.message ? (
        <p
          className={`banner ${state.shell === 'electron' ? 'banner-warn' : 'banner-info'}`}
          role="status"
          data-testid="keyring-message"
          data-remembers={keyring.remembers}
        >
          {keyring.message}
        </p>
      ) : null}
      {status ? (
        <p role="status" className="notice" data-testid="keys-status">
          {status}
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="error-text" data-testid="keys-error">
          {error}
        </p>
      ) : null}

      {open?.form === 'generate' && overview ? <GenerateKeyForm bridge={bridge} keyring={overview.keyring} onDone={done} onCancel={cancel} /> : null}
      {open?.form === 'import' && overview ? <ImportKeyForm bridge={bridge} keyring={overview.keyring} onDone={done} onCancel={cancel} /> : null}
      {open?.form === 'unlock' && selected && overview ? (
        <UnlockKeyForm bridge={bridge} keyring={overview.keyring} keyView={selected} onDone={done} onCancel={cancel} />
      ) : null}
      {open?.form === 'install' && selected && overview ? (
        <InstallKeyForm bridge={bridge} keyView={selected} hosts={overview.hosts} onDone={done} onCancel={cancel} />
      ) : null}
      {open?.form === 'delete' && selected ? (
        <DeleteConfirm
          keyView={selected}
          busy={busy}
          onConfirm={() =>
            void act(async () => {
              const r = await bridge.deleteKey({ name: selected.name });
              return `Deleted ${r.deleted} (${r.fingerprint}).`;
            })
          }
          onCancel={cancel}
        />
      ) : null}

      {overview && overview.keys.length === 0 ? <p data-testid="keys-empty">No keys yet: generate one, or import a key file.</p> : null}
      {overview && overview.keys.length > 0 ? (
        <DataTable className="keys" columns={['Name', 'Fingerprint', 'Comment', 'State']} actions>
          {overview.keys.map((k) => (
            <tr key={k.name} data-testid="key-row" data-name={k.name} data-unlocked={k.unlocked}>
              <td>
                <strong>{k.name}</strong>
                <div className="muted small">
                  {k.type.replace(/^ssh-/, '')}, {k.created.slice(0, 10)}
                </div>
              </td>
              <td>
                <span className="mono fingerprint" data-testid={`key-fingerprint-${k.name}`}>
                  {k.fingerprint}
                </span>
                <CopyButton text={k.publicKeyLine} what={`public key of ${k.name}`} testId={`copy-public-key-${k.name}`} />
              </td>
              <td className="key-comment">{k.comment}</td>
              <td data-testid={`key-state-${k.name}`}>
                {k.encrypted ? k.unlocked ? 'unlocked' : 'locked' : <span className="error-text">not encrypted</span>}
                {k.remembered ? <div className="muted small">passphrase remembered</div> : null}
              </td>
              <td>
                <div className="actions key-actions">
                  {!k.unlocked ? (
                    <button
                      type="button"
                      data-testid={`unlock-${k.name}`}
                      aria-label={`Unlock ${k.name}`}
                      onClick={() => setOpen({ form: 'unlock', name: k.name })}
                    >
                      Unlock…
                    </button>
                  ) : null}
                  {k.unlocked || k.remembered ? (
                    <button
                      type="button"
                      data-testid={`lock-${k.name}`}
                      aria-label={`Lock ${k.name}`}
                      title={k.remembered ? 'Also forgets the remembered passphrase' : undefined}
                      disabled={busy}
                      onClick={() =>
                        void act(async () => {
                          await bridge.lockKey({ name: k.name });
                          return `Locked ${k.name}: its next use needs the passphrase again.`;
                        })
                      }
                    >
                      Lock
                    </button>
                  ) : null}
                  <button
                    type="button"
                    data-testid={`install-${k.name}`}
                    aria-label={`Install ${k.name} on a host`}
                    onClick={() => setOpen({ form: 'install', name: k.name })}
                  >
                    Install…
                  </button>
                  <button
                    type="button"
                    className="danger"
                    data-testid={`delete-${k.name}`}
                    aria-label={`Delete ${k.name}`}
                    onClick={() => setOpen({ form: 'delete', name: k.name })}
                  >
                    Delete…
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {overview ? <SourceGates bridge={bridge} hosts={overview.hosts} /> : null}
    </section>
  );
}

interface DeleteConfirmProps {
  keyView: KeyView;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** `delete-confirm`: says what goes and what it breaks; focus lands on Cancel. */
function DeleteConfirm({ keyView, busy, onConfirm, onCancel }: DeleteConfirmProps) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => cancelRef.current?.focus(), [keyView.name]);
  return (
    <div
      className="card key-form delete-confirm"
      role="alertdialog"
      aria-labelledby="delete-key-title"
      aria-describedby="delete-key-text"
      data-testid="delete-confirm"
    >
      <h3 id="delete-key-title">Delete {keyView.name}?</h3>
      <p id="delete-key-text">
        The key <span className="mono">{keyView.fingerprint}</span> is removed from the store for good. Hosts that only accept it will refuse Burrow.
      </p>
      <div className="actions">
        <button type="button" className="danger" data-testid="confirm-delete" disabled={busy} onClick={onConfirm}>
          {busy ? 'Deleting…' : `Delete ${keyView.name}`}
        </button>
        <button type="button" ref={cancelRef} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
