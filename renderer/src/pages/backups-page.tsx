/**
 * What the destination holds, for either format: one row per day (size,
 * files, what changed, verified, where copies exist), Verify, a search box
 * ("where is this file, in which days, what size"), a tree browser of any
 * day, and Restore for a file, a folder or the whole day.
 */
import { useCallback, useEffect, useId, useState } from 'react';
import type { AppState, BackupRowView, BurrowBridge, VerifyResultView } from '../../../shared/api-contract';
import { BackupBrowser } from '../components/backup-browser';
import { BackupSearch } from '../components/backup-search';
import { DataTable } from '../components/data-table';
import { RestoreForm } from '../components/restore-form';
import { errorMessage } from '../lib/errors';
import { formatBytes } from '../lib/format';
import type { RestoreChoice } from '../lib/restore-choice';

export interface BackupsPageProps {
  bridge: BurrowBridge;
  state: AppState;
}

const changesText = (r: BackupRowView) =>
  r.changes ? `+${r.changes.added} ~${r.changes.changed} −${r.changes.removed} (${formatBytes(r.changes.bytes)})` : '—';
const whereText = (r: BackupRowView) => (r.atSource === true ? 'destination, source' : r.atSource === 'unknown' ? 'destination (source?)' : 'destination');

/** `backups-job`, `backup-row` (data-day, data-verified), `browse-<day>`, `restore-day-<day>`, `verify-all`, `verify-result`, `backups-error`. */
export function BackupsPage({ bridge, state }: BackupsPageProps) {
  const jobs = state.jobs.map((j) => j.job);
  const [chosen, setJob] = useState(jobs[0] ?? '');
  const job = jobs.includes(chosen) ? chosen : (jobs[0] ?? '');
  const [rows, setRows] = useState<BackupRowView[]>();
  const [verify, setVerify] = useState<VerifyResultView[]>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [browsing, setBrowsing] = useState<string>();
  const [restoring, setRestoring] = useState<RestoreChoice>();
  const selectId = useId();

  const load = useCallback(async () => {
    if (!job) return;
    setError(undefined);
    setRows(undefined);
    try {
      const got = await bridge.listBackups({ job });
      setRows(got);
      setBrowsing((b) => (b && got.some((r) => r.name === b) ? b : got[0]?.name));
    } catch (err) {
      setError(errorMessage(err));
      setRows([]);
    }
  }, [bridge, job]);

  useEffect(() => {
    void load();
  }, [load]);

  async function verifyAll() {
    setBusy(true);
    setError(undefined);
    try {
      setVerify(await bridge.verifyBackups({ job }));
      await load();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const bad = verify?.filter((v) => !v.ok) ?? [];
  return (
    <section className="page" aria-labelledby="backups-title">
      <div className="page-head">
        <h2 id="backups-title">Backups</h2>
      </div>
      {jobs.length === 0 ? (
        <p>No jobs yet: add one in Settings.</p>
      ) : (
        <div className="inline-form">
          <label htmlFor={selectId}>Job</label>
          <select id={selectId} data-testid="backups-job" value={job} onChange={(e) => setJob(e.target.value)}>
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
        <p role="alert" className="error-text" data-testid="backups-error">
          {error}
        </p>
      ) : null}
      {verify ? (
        <p role="status" data-testid="verify-result" className={bad.length ? 'error-text' : ''}>
          {verify.length === 0
            ? 'Nothing to verify yet.'
            : bad.length
              ? `${bad.length} of ${verify.length} failed: ${bad.map((b) => `${b.name}: ${b.problems.join(', ')}`).join('; ')}`
              : `All ${verify.length} passed: every stored file matches the checksum recorded when it was sent.`}
        </p>
      ) : null}
      {job && rows && rows.length > 0 ? <BackupSearch bridge={bridge} job={job} onRestore={setRestoring} /> : null}
      {restoring ? <RestoreForm bridge={bridge} job={job} choice={restoring} onClose={() => setRestoring(undefined)} /> : null}
      {rows === undefined && job ? <p className="muted">Reading the destination…</p> : null}
      {rows && rows.length === 0 && !error ? <p className="muted">No backups at the destination yet.</p> : null}
      {rows && rows.length > 0 ? (
        <DataTable className="backups" columns={['Day', 'Format', 'Size', 'Files', 'Changes', 'Verified', 'Copies']} actions>
          {rows.map((r) => (
            <tr key={r.name} data-testid="backup-row" data-day={r.name} data-verified={r.verified} aria-selected={browsing === r.name}>
              <td>{r.name}</td>
              <td>{r.format}</td>
              <td>{formatBytes(r.size)}</td>
              <td>{r.files ?? '—'}</td>
              <td>{changesText(r)}</td>
              <td className={r.verified === 'failed' ? 'error-text' : ''}>{r.verified}</td>
              <td>{whereText(r)}</td>
              <td className="row-actions">
                <button type="button" data-testid={`browse-${r.name}`} onClick={() => setBrowsing(r.name)} aria-pressed={browsing === r.name}>
                  Browse
                </button>
                <button type="button" data-testid={`restore-day-${r.name}`} onClick={() => setRestoring({ backup: r.name, paths: [] })}>
                  Restore day…
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {job && browsing ? <BackupBrowser key={`${job} ${browsing}`} bridge={bridge} job={job} backup={browsing} onRestore={setRestoring} /> : null}
    </section>
  );
}
