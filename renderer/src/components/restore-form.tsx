/**
 * Restore… for one archive: where to (a directory on this machine, or on
 * the source, through the tunnel) and whether to unpack it into a new
 * directory. Nothing is ever written over existing files from here.
 */
import { useId, useState } from 'react';
import type { BurrowBridge } from '../../../shared/api-contract';
import { errorMessage } from '../lib/errors';

export interface RestoreFormProps {
  bridge: BurrowBridge;
  job: string;
  archive: string;
  onClose: () => void;
}

/** `restore-form`, `restore-target`, `restore-dir`, `restore-extract`, `restore-go`, `restore-result`. */
export function RestoreForm({ bridge, job, archive, onClose }: RestoreFormProps) {
  const [target, setTarget] = useState<'laptop' | 'source'>('laptop');
  const [dir, setDir] = useState('');
  const [extract, setExtract] = useState(true);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string>();
  const [error, setError] = useState<string>();
  const ids = { target: useId(), dir: useId(), extract: useId() };

  async function go() {
    setBusy(true);
    setError(undefined);
    try {
      const where = target === 'laptop' ? { toLaptop: dir } : { toSource: dir };
      const r = await bridge.restoreArchive({ job, archive, extract, ...where });
      setResult(`Restored to ${r.path}${r.extractedTo ? `, unpacked into ${r.extractedTo}` : ''} (SHA-256 ${r.sha256.slice(0, 16)}…).`);
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
      aria-label={`Restore ${archive}`}
      onSubmit={(e) => {
        e.preventDefault();
        void go();
      }}
    >
      <h3>Restore {archive}</h3>
      <label htmlFor={ids.target}>To</label>
      <select id={ids.target} data-testid="restore-target" value={target} onChange={(e) => setTarget(e.target.value as 'laptop' | 'source')}>
        <option value="laptop">a directory on this machine</option>
        <option value="source">a directory on the source (through the tunnel)</option>
      </select>
      <label htmlFor={ids.dir}>Directory</label>
      <input id={ids.dir} data-testid="restore-dir" value={dir} required placeholder="/absolute/path" onChange={(e) => setDir(e.target.value)} />
      <label className="check">
        <input id={ids.extract} type="checkbox" data-testid="restore-extract" checked={extract} onChange={(e) => setExtract(e.target.checked)} />
        Unpack into a new directory beside it
      </label>
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
