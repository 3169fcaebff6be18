/**
 * Two small things Settings says about destinations. Before a save changes
 * a job's format or destination, what happens to the backups already there,
 * and a confirmation. And per job, "Set up destination…": what setting it up
 * creates, then writing its marker (as `burrow init-destination` does).
 */
import { useState } from 'react';
import type { BurrowBridge, DestinationSetupView } from '../../../shared/api-contract';
import { errorMessage } from '../lib/errors';

export interface DestinationChangesProps {
  changes: string[];
  acknowledged: boolean;
  onAcknowledge: (yes: boolean) => void;
}

/** `destination-changes`, `destination-changes-ok`. */
export function DestinationChanges({ changes, acknowledged, onAcknowledge }: DestinationChangesProps) {
  if (changes.length === 0) return null;
  return (
    <div className="card destination-changes" data-testid="destination-changes" role="alert">
      <p>
        <strong>What happens to existing backups</strong>
      </p>
      <ul>
        {changes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <label className="check">
        <input type="checkbox" data-testid="destination-changes-ok" checked={acknowledged} onChange={(e) => onAcknowledge(e.target.checked)} /> I understand;
        save anyway
      </label>
    </div>
  );
}

/** `setup-destination-<job>`, `setup-preview`, `setup-confirm`, `setup-result`. */
export function DestinationSetup({ bridge, jobs }: { bridge: BurrowBridge; jobs: string[] }) {
  const [job, setJob] = useState<string>();
  const [preview, setPreview] = useState<DestinationSetupView>();
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function ask(name: string, write: boolean) {
    setBusy(true);
    setMessage(undefined);
    try {
      const r = await bridge.initDestination({ job: name, preview: !write });
      if (write) {
        setPreview(undefined);
        setMessage(r.message);
      } else setPreview(r);
    } catch (err) {
      setMessage(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  if (jobs.length === 0) return null;
  return (
    <section aria-labelledby="destinations-title">
      <h3 id="destinations-title">Destinations</h3>
      <div className="actions">
        {jobs.map((j) => (
          <button
            key={j}
            type="button"
            data-testid={`setup-destination-${j}`}
            disabled={busy}
            onClick={() => {
              setJob(j);
              void ask(j, false);
            }}
          >
            Set up destination of {j}…
          </button>
        ))}
      </div>
      {preview && job ? (
        <div className="card" data-testid="setup-preview">
          <p>{preview.found}.</p>
          {preview.creates.length ? (
            <ul>
              {preview.creates.map((c) => (
                <li key={c}>Creates {c}</li>
              ))}
            </ul>
          ) : null}
          <p>{preview.message}</p>
          {preview.state === 'new' || preview.state === 'adopted' ? (
            <button type="button" className="primary" data-testid="setup-confirm" disabled={busy} onClick={() => void ask(job, true)}>
              Set it up
            </button>
          ) : null}
        </div>
      ) : null}
      {message ? (
        <p role="status" data-testid="setup-result">
          {message}
        </p>
      ) : null}
    </section>
  );
}
