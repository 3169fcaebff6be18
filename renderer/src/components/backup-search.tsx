/**
 * "Where is it?": files and folders whose name holds the text, in which
 * days, what size, each with Restore.
 */
import { useId, useState } from 'react';
import type { BurrowBridge, SearchHitView, SearchResultView } from '../../../shared/api-contract';
import { useAction } from '../hooks/use-action';
import { formatBytes } from '../lib/format';
import type { RestoreChoice } from '../lib/restore-choice';

export interface BackupSearchProps {
  bridge: BurrowBridge;
  job: string;
  onRestore: (choice: RestoreChoice) => void;
}

/** `search-input`, `search-go`, `search-hit` (data-path), `search-restore-<day>-<path>`, `search-empty`. */
export function BackupSearch({ bridge, job, onRestore }: BackupSearchProps) {
  const [query, setQuery] = useState('');
  const [result, setResult] = useState<SearchResultView>();
  const { busy, message: error, run } = useAction();
  const id = useId();

  async function search() {
    await run(async () => {
      setResult(await bridge.searchBackups({ job, query }));
    });
  }

  const byPath = new Map<string, SearchHitView[]>();
  for (const h of result?.hits ?? []) byPath.set(h.path, [...(byPath.get(h.path) ?? []), h]);
  return (
    <div className="search">
      <form
        className="inline-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <label htmlFor={id}>Find a file or folder</label>
        <input id={id} data-testid="search-input" value={query} placeholder="part of a name" onChange={(e) => setQuery(e.target.value)} />
        <button type="submit" data-testid="search-go" disabled={busy || query.trim() === ''}>
          {busy ? 'Searching…' : 'Search'}
        </button>
      </form>
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
      {result && result.hits.length === 0 ? (
        <p className="muted" data-testid="search-empty">
          Nothing named like “{query}”.
        </p>
      ) : null}
      {byPath.size > 0 ? (
        <ul className="search-hits" aria-label="Found">
          {[...byPath].map(([path, hits]) => (
            <li key={path} data-testid="search-hit" data-path={path}>
              <span className="mono">
                {path}
                {hits[0]!.type === 'dir' ? '/' : ''}
              </span>{' '}
              <span className="muted">{hits[0]!.type === 'dir' ? '' : [...new Set(hits.map((h) => formatBytes(h.size)))].join(', ')}</span>
              <span className="days">
                {hits.map((h) => (
                  <button
                    key={h.backup}
                    type="button"
                    data-testid={`search-restore-${h.backup}-${path}`}
                    title={`Restore it as it was on ${h.backup}`}
                    onClick={() => onRestore({ backup: h.backup, paths: [path] })}
                  >
                    {h.backup}
                  </button>
                ))}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {result?.truncated ? <p className="muted">More matched than are shown: type more of the name.</p> : null}
      {result?.notSearched.length ? <p className="muted">Not searched: {result.notSearched.join('; ')}</p> : null}
    </div>
  );
}
