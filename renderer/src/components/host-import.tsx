/**
 * Hosts found in ~/.ssh/config, each with a checkbox, so a person starts
 * from what their ssh already knows instead of typing it again.
 */
import { useEffect, useState } from 'react';
import type { BurrowBridge, ImportedHost } from '../../../shared/api-contract';
import { errorMessage } from '../lib/errors';

export interface HostImportProps {
  bridge: BurrowBridge;
  /** Names already in the config: shown, but not selected by default. */
  existing?: readonly string[];
  /** Label of the confirm button. */
  addLabel?: string;
  busy?: boolean;
  onAdd: (hosts: ImportedHost[]) => void;
  onCancel: () => void;
}

/** `import-list` with one `import-host-<name>` checkbox per host and `import-add`. */
export function HostImport({ bridge, existing = [], addLabel = 'Add selected', busy = false, onAdd, onCancel }: HostImportProps) {
  const [found, setFound] = useState<{ source: string; hosts: ImportedHost[] } | undefined>();
  const [error, setError] = useState<string>();
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());

  useEffect(() => {
    let alive = true;
    bridge.importSshHosts({}).then(
      (r) => {
        if (!alive) return;
        setFound(r);
        setChosen(new Set(r.hosts.map((h) => h.name).filter((n) => !existing.includes(n))));
      },
      (err: unknown) => alive && setError(errorMessage(err)),
    );
    return () => {
      alive = false;
    };
    // Read ~/.ssh/config once per opening; `existing` only sets the first selection.
  }, [bridge]);

  const toggle = (name: string, on: boolean) =>
    setChosen((prev) => {
      const next = new Set(prev);
      if (on) next.add(name);
      else next.delete(name);
      return next;
    });

  if (error) {
    return (
      <div className="card import" data-testid="import-list">
        <p className="error-text">{error}</p>
        <button type="button" onClick={onCancel}>
          Close
        </button>
      </div>
    );
  }
  if (!found) return <p className="muted">Reading ~/.ssh/config…</p>;

  return (
    <div className="card import" data-testid="import-list">
      <p>
        {found.hosts.length === 0 ? 'No hosts found in ' : `${found.hosts.length} host${found.hosts.length === 1 ? '' : 's'} found in `}
        <code>{found.source}</code>
        {found.hosts.length === 0 ? '.' : ':'}
      </p>
      {found.hosts.length > 0 ? (
        <ul className="import-hosts">
          {found.hosts.map((h) => (
            <li key={h.name}>
              <label>
                <input type="checkbox" data-testid={`import-host-${h.name}`} checked={chosen.has(h.name)} onChange={(e) => toggle(h.name, e.target.checked)} />
                <strong>{h.name}</strong>{' '}
                <span className="muted">
                  {h.user ? `${h.user}@` : ''}
                  {h.hostname}
                  {h.port !== 22 ? `:${h.port}` : ''}
                  {h.proxyJump ? ` via ${h.proxyJump}` : ''}
                  {h.hostKey ? ' · key known' : ''}
                  {existing.includes(h.name) ? ' · already in the config' : ''}
                </span>
              </label>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="actions">
        <button
          type="button"
          className="primary"
          data-testid="import-add"
          disabled={busy || chosen.size === 0}
          onClick={() => onAdd(found.hosts.filter((h) => chosen.has(h.name)))}
        >
          {addLabel}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
