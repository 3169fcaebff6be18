/**
 * The archives at a job's destination: date, size, where else each exists,
 * whether it was verified, with Verify (a test-restore on the destination)
 * and Restore… per archive.
 */
import { useCallback, useEffect, useId, useState } from 'react';
import type { AppState, ArchiveRowView, BurrowBridge, VerifyResultView } from '../../../shared/api-contract';
import { RestoreForm } from '../components/restore-form';
import { errorMessage } from '../lib/errors';
import { formatBytes } from '../lib/format';
import { DataTable } from '../components/data-table';

export interface ArchivesPageProps {
  bridge: BurrowBridge;
  state: AppState;
}

const day = (stamp: string) => `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6)}`;

/** `archives-job`, `archive-row` (data-verified), `verify-all`, `verify-result`, `restore-<name>`. */
export function ArchivesPage({ bridge, state }: ArchivesPageProps) {
  const jobs = state.jobs.map((j) => j.job);
  const [chosen, setJob] = useState(jobs[0] ?? '');
  const job = jobs.includes(chosen) ? chosen : (jobs[0] ?? '');
  const [rows, setRows] = useState<ArchiveRowView[]>();
  const [verify, setVerify] = useState<VerifyResultView[]>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [restoring, setRestoring] = useState<string>();
  const selectId = useId();

  const load = useCallback(async () => {
    if (!job) return;
    setError(undefined);
    try {
      setRows(await bridge.listArchives({ job }));
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [bridge, job]);

  useEffect(() => {
    void load();
  }, [load]);

  async function verifyAll() {
    setBusy(true);
    setError(undefined);
    try {
      setVerify(await bridge.verifyArchives({ job }));
      await load();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const bad = verify?.filter((v) => !v.ok) ?? [];
  return (
    <section className="page" aria-labelledby="archives-title">
      <div className="page-head">
        <h2 id="archives-title">Archives</h2>
      </div>
      {jobs.length === 0 ? (
        <p>No jobs yet: add one in Settings.</p>
      ) : (
        <div className="inline-form">
          <label htmlFor={selectId}>Job</label>
          <select id={selectId} data-testid="archives-job" value={job} onChange={(e) => setJob(e.target.value)}>
            {jobs.map((j) => (
              <option key={j} value={j}>
                {j}
              </option>
            ))}
          </select>
          <button type="button" className="primary" data-testid="verify-all" disabled={busy || !rows?.length} onClick={() => void verifyAll()}>
            {busy ? 'Verifying…' : 'Verify all'}
          </button>
        </div>
      )}
      {error ? (
        <p role="alert" className="error-text">
          {error}
        </p>
      ) : null}
      {verify ? (
        <p role="status" data-testid="verify-result" className={bad.length ? 'error-text' : ''}>
          {bad.length
            ? `${bad.length} of ${verify.length} archive(s) failed: ${bad.map((b) => `${b.name}: ${b.problems.join(', ')}`).join('; ')}`
            : `All ${verify.length} archive(s) passed: decompress test, tar listing and SHA-256.`}
        </p>
      ) : null}
      {restoring ? <RestoreForm bridge={bridge} job={job} archive={restoring} onClose={() => setRestoring(undefined)} /> : null}
      {rows && rows.length === 0 ? <p className="muted">No archives at the destination yet.</p> : null}
      {rows && rows.length > 0 ? (
        <DataTable columns={['Date', 'Archive', 'Size', 'Verified', 'Also on source']} actions>
          {rows.map((r) => (
            <tr key={r.name} data-testid="archive-row" data-verified={r.verified}>
              <td>{day(r.stamp)}</td>
              <td className="mono">{r.name}</td>
              <td>{formatBytes(r.size)}</td>
              <td className={r.verified === 'failed' ? 'error-text' : ''}>{r.verified}</td>
              <td>{r.atSource === 'unknown' ? '?' : r.atSource ? 'yes' : 'no'}</td>
              <td>
                <button type="button" data-testid={`restore-${r.name}`} onClick={() => setRestoring(r.name)}>
                  Restore…
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </section>
  );
}
