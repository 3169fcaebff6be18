/**
 * A tree of one day's backup, read a directory at a time as it is opened
 * (the engine reads the day's manifest, or an archive's listing kept on the
 * laptop). Each entry offers Restore.
 */
import { useEffect, useState } from 'react';
import type { BackupEntryView, BurrowBridge } from '../../../shared/api-contract';
import { errorMessage } from '../lib/errors';
import { formatBytes } from '../lib/format';
import type { RestoreChoice } from '../lib/restore-choice';

export interface BackupBrowserProps {
  bridge: BurrowBridge;
  job: string;
  backup: string;
  onRestore: (choice: RestoreChoice) => void;
}

const when = (mtime: number) => (mtime ? new Date(mtime * 1000).toISOString().slice(0, 16).replace('T', ' ') : '');

/** `backup-browser`, `tree-entry` (data-path, data-type), `open-<path>`, `restore-<path>`. */
export function BackupBrowser({ bridge, job, backup, onRestore }: BackupBrowserProps) {
  return (
    <section className="card browser" data-testid="backup-browser" aria-label={`Files of ${backup}`}>
      <h3>Files of {backup}</h3>
      <Directory bridge={bridge} job={job} backup={backup} path="" onRestore={onRestore} />
    </section>
  );
}

function Directory({ bridge, job, backup, path, onRestore }: BackupBrowserProps & { path: string }) {
  const [entries, setEntries] = useState<BackupEntryView[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let alive = true;
    bridge.browseBackup({ job, backup, path }).then(
      (got) => alive && setEntries(got),
      (err: unknown) => alive && setError(errorMessage(err)),
    );
    return () => {
      alive = false;
    };
  }, [bridge, job, backup, path]);
  if (error)
    return (
      <p className="error-text" role="alert">
        {error}
      </p>
    );
  if (!entries) return <p className="muted">Reading…</p>;
  if (entries.length === 0) return <p className="muted">(empty)</p>;
  return (
    <ul className="tree" role={path === '' ? 'tree' : 'group'}>
      {entries.map((e) => (
        <Entry key={e.path} bridge={bridge} job={job} backup={backup} entry={e} onRestore={onRestore} />
      ))}
    </ul>
  );
}

function Entry({ bridge, job, backup, entry, onRestore }: Omit<BackupBrowserProps, 'path'> & { entry: BackupEntryView }) {
  const [open, setOpen] = useState(false);
  const isDir = entry.type === 'dir';
  return (
    <li role="treeitem" aria-expanded={isDir ? open : undefined} data-testid="tree-entry" data-path={entry.path} data-type={entry.type}>
      <div className="tree-row">
        {isDir ? (
          <button
            type="button"
            className="link"
            data-testid={`open-${entry.path}`}
            onClick={() => setOpen(!open)}
            aria-label={`${open ? 'Close' : 'Open'} ${entry.name}`}
          >
            {open ? '▾' : '▸'} {entry.name}/
          </button>
        ) : (
          <span className="mono">{entry.type === 'link' ? `${entry.name} →` : entry.name}</span>
        )}
        <span className="muted">{isDir ? '' : formatBytes(entry.size)}</span>
        <span className="muted">{when(entry.mtime)}</span>
        <button type="button" data-testid={`restore-${entry.path}`} onClick={() => onRestore({ backup, paths: [entry.path] })}>
          Restore…
        </button>
      </div>
      {isDir && open ? <Directory bridge={bridge} job={job} backup={backup} path={entry.path} onRestore={onRestore} /> : null}
    </li>
  );
}
