/**
 * Restore a file, a folder or a whole day: into a directory on this machine,
 * or onto the source through the tunnel (which needs a login the source
 * gate does not guard). Paths keep their place below the chosen directory;
 * nothing is written over existing files unless "in place" is chosen.
 */
import { useId, useState } from 'react';
import type { BurrowBridge } from '../../../shared/api-contract';
import { errorMessage } from '../lib/errors';
import { formatBytes } from '../lib/format';
import type { RestoreChoice } from '../lib/restore-choice';

export interface RestoreFormProps {
  bridge: BurrowBridge;
  job: string;
  choice: RestoreChoice;
  onClose: () => void;
}

/** `restore-form`, `restore-target`, `restore-dir`, `restore-in-place`, `restore-go`, `restore-result`, `restore-error`. */
export function RestoreForm({ bridge, job, choice, onClose }: RestoreFormProps) {
  const [target, setTarget] = useState<'laptop' | 'source'>('laptop');
  const [dir, setDir] = useState('');
  const [inPlace, setInPlace] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string>();
  const [error, setError] = useState<string>();
  const ids = { target: useId(), dir: useId() };
  const what = choice.paths.length ? choice.paths.join(', ') : `the whole day`;

  async function go() {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const where = target === 'laptop' ? { toLaptop: dir } : { toSource: dir };
      const r = await bridge.restoreBackup({ job, backup: choice.backup, ...(choice.paths.length ? { paths: choice.paths } : {}), inPlace, ...where });
      setResult(
        `Restored ${r.paths.join(', ')} into ${r.path}: ${r.files} file(s), ${formatBytes(r.bytes)}; ${r.checked} checked against the checksums recorded when they were sent.`,
      );
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="card restore-form"
      data-testid="restore-form"
      aria-label={`Restore ${what} of ${choice.backup}`}
      onSubmit={(e) => {
        e.preventDefault();
        void go();
      }}
    >
      <h3>
        Restore {what} of {choice.backup}
      </h3>
      <label htmlFor={ids.target}>To</label>
      <select id={ids.target} data-testid="restore-target" value={target} onChange={(e) => setTarget(e.target.value as 'laptop' | 'source')}>
        <option value="laptop">a directory on this machine</option>
        <option value="source">a directory on the source (through the tunnel; needs a login the source gate does not guard)</option>
      </select>
      <label htmlFor={ids.dir}>Directory</label>
      <input id={ids.dir} data-testid="restore-dir" value={dir} required placeholder="/absolute/path" onChange={(e) => setDir(e.target.value)} />
      <label className="check">
        <input type="checkbox" data-testid="restore-in-place" checked={inPlace} onChange={(e) => setInPlace(e.target.checked)} />
        Write over files that are already there
      </label>
      <p className="hint">
        {choice.paths.length ? 'Each path keeps its place below the directory' : 'Every top directory of the day lands below the directory'}
        {inPlace ? '; existing files are replaced.' : '; if any of them exists already, nothing is written.'}
      </p>
      <div className="actions">
        <button type="submit" className="primary" data-testid="restore-go" disabled={busy || !dir.startsWith('/')}>
          {busy ? 'Restoring…' : 'Restore'}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {result ? (
        <p role="status" data-testid="restore-result">
          {result}
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="error-text" data-testid="restore-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}
