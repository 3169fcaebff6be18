/**
 * Trust on first use, done deliberately: fetch the key a host presents, show
 * its fingerprint, and pin it only when the person says they compared it.
 */
import { useState } from 'react';
import type { BurrowBridge, HostKeyView } from '../../../shared/api-contract';
import { NAME_PATTERN } from '../../../shared/config-schema';
import { errorMessage } from '../lib/errors';

export interface HostKeyFetchProps {
  bridge: BurrowBridge;
  /** Index of the host in the form, for test ids. */
  index: number;
  hostname: string;
  port: number;
  /** The host's name and user in the form, so a failure names the host as the form does. */
  name: string;
  user: string;
  /** The pin the form has now (a key line or a SHA256 fingerprint), to compare with. */
  pinned: string | undefined;
  onPin: (keyLine: string) => void;
}

/** Whether an offered key is the one already pinned, a different one, or there is no pin. */
function comparePin(offer: HostKeyView, pinned: string | undefined): 'same' | 'different' | 'none' {
  if (!pinned) return 'none';
  const pin = pinned.trim();
  return pin === offer.keyLine || pin === offer.fingerprint ? 'same' : 'different';
}

/** The middle of sshd's key file name for a key type: `ssh-ed25519` -> `ed25519`. */
export function keyFileKind(type: string): string {
  if (type.startsWith('ecdsa')) return 'ecdsa';
  return type.replace(/^ssh-/, '');
}

/** `fetch-host-key-<i>` → `host-key-offer-<i>` → `pin-host-key-<i>`. */
export function HostKeyFetch({ bridge, index, hostname, port, name, user, pinned, onPin }: HostKeyFetchProps) {
  const [offer, setOffer] = useState<HostKeyView>();
  const [error, setError] = useState<string>();
  const [fetching, setFetching] = useState(false);

  async function fetchKey() {
    setFetching(true);
    setError(undefined);
    setOffer(undefined);
    try {
      setOffer(
        await bridge.fetchHostKey({
          hostname,
          port,
          ...(NAME_PATTERN.test(name) ? { name } : {}),
          ...(user.trim() !== '' && user.length <= 32 ? { user: user.trim() } : {}),
        }),
      );
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setFetching(false);
    }
  }

  return (
    <div className="host-key-fetch">
      <button type="button" data-testid={`fetch-host-key-${index}`} disabled={fetching || hostname.trim() === ''} onClick={() => void fetchKey()}>
        {fetching ? 'Fetching…' : 'Fetch host key'}
      </button>
      {error ? <p className="field-error">{error}</p> : null}
      {offer ? (
        <div className="key-offer" data-testid={`host-key-offer-${index}`} role="group" aria-label="Host key to confirm">
          <p>
            {hostname}:{port} presents a <strong>{offer.type}</strong> key with the fingerprint
          </p>
          <p className="mono fingerprint" data-testid={`host-key-fingerprint-${index}`}>
            {offer.fingerprint}
          </p>
          {comparePin(offer, pinned) === 'same' ? (
            <p className="ok-text" data-testid={`host-key-same-${index}`}>
              This is the key already pinned.
            </p>
          ) : null}
          {comparePin(offer, pinned) === 'different' ? (
            <p className="error-text" data-testid={`host-key-changed-${index}`}>
              This is not the key pinned now. Pin it only if you know why the host's key changed.
            </p>
          ) : null}
          <p className="muted">
            Compare it with the host's own, for example <code>ssh-keygen -lf /etc/ssh/ssh_host_{keyFileKind(offer.type)}_key.pub</code> run on it.
          </p>
          <div className="actions">
            <button
              type="button"
              className="primary"
              data-testid={`pin-host-key-${index}`}
              onClick={() => {
                onPin(offer.keyLine);
                setOffer(undefined);
              }}
            >
              I checked this fingerprint — pin it
            </button>
            <button type="button" onClick={() => setOffer(undefined)}>
              Do not pin
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
