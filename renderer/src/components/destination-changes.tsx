/**
 * Two small things Settings says about destinations. Before a save changes
 * a job's format or destination, what happens to the backups already there,
 * and a confirmation. And per job, "Set up destination…": what setting it up
 * creates, then writing its marker (as `burrow init-destination` does).
 */
import { useState } from 'react';
import type { BurrowBridge, ConfigDocument, DestinationSetupView } from '../../../shared/api-contract';
import { DEFAULT_FORMAT } from '../../../shared/formats';
import { errorMessage } from '../lib/errors';

interface JobLike {
  name?: unknown;
  format?: unknown;
  destination?: { host?: unknown; path?: unknown };
}

const jobsOf = (doc: ConfigDocument | undefined): JobLike[] => (doc && Array.isArray(doc.jobs) ? (doc.jobs as JobLike[]) : []);
const formatOf = (j: JobLike) => (typeof j.format === 'string' ? j.format : DEFAULT_FORMAT);
const where = (j: JobLike) => `${String(j.destination?.host ?? '')}:${String(j.destination?.path ?? '')}`;

/** What a save would change for jobs that already have backups, in words; empty when nothing. */
export function destinationChanges(saved: ConfigDocument | undefined, next: ConfigDocument): string[] {
  const before = new Map(jobsOf(saved).map((j) => [String(j.name), j]));
  const out: string[] = [];
  for (const j of jobsOf(next)) {
    const old = before.get(String(j.name));
    if (!old) continue;
    if (where(old) !== where(j))
      out.push(
        `Job ${String(j.name)} moves from ${where(old)} to ${where(j)}: the backups at ${where(old)} stay there, and Burrow no longer prunes or lists them. The new path is set up at the next run (it must be empty or set up first).`,
      );
    else if (formatOf(old) !== formatOf(j))
      out.push(
        `Job ${String(j.name)} changes from ${formatOf(old)} to ${formatOf(j)} at ${where(j)}: the ${formatOf(old)} backups there stay as they are and are no longer pruned. ` +
          `Runs are refused until you set the destination up again for ${formatOf(j)} (Set up destination, below, after saving), or choose a new path.`,
      );
  }
  return out;
}

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
