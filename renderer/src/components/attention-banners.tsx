/**
 * What needs the person first, above the job cards: backups that were
 * missed and not yet caught up, jobs whose backups are stale, and a paused
 * schedule.
 */
import type { JobStatus } from '../../../shared/engine-events';
import { isDeferral } from '../../../shared/notification-policy';
import { formatAgo, formatDateTime } from '../lib/format';
import { describeCauses } from '../lib/words';

/** "3 backups missed (the laptop was off): Mon 23 Nov, 12:30 – Wed 25 Nov, 12:30", and whether the last try to catch up failed. */
function missedLine(j: JobStatus, slots: JobStatus['outstanding']): { text: string; failedTry?: string } {
  const sorted = [...slots].sort((a, b) => a.slot.localeCompare(b.slot));
  const first = sorted[0]!.slot;
  const last = sorted[sorted.length - 1]!.slot;
  const causes = describeCauses(sorted.map((o) => o.cause));
  const text =
    sorted.length === 1
      ? `the backup due ${formatDateTime(first)} did not run (${causes})`
      : `${sorted.length} backups missed (${causes}): ${formatDateTime(first)} – ${formatDateTime(last)}`;
  // A run after the last missed slot that failed was the catch-up: say so, or the banner reads as if nothing was tried.
  const tried = j.lastRun && j.lastRun.status === 'failed' && Date.parse(j.lastRun.startedAt) > Date.parse(last) ? j.lastRun : undefined;
  return tried ? { text, failedTry: `The catch-up at ${formatDateTime(tried.startedAt)} failed; Run now tries again.` } : { text };
}

export interface AttentionBannersProps {
  jobs: readonly JobStatus[];
  paused: boolean;
  now: number;
  busy: boolean;
  onRunNow: (jobs: string[]) => void;
  onResume: () => void;
}

/** `missed-banner` (+ `missed-run-now`), `stale-banner` (+ `stale-run-now`), `paused-banner` (+ `resume-schedule`). */
export function AttentionBanners({ jobs, paused, now, busy, onRunNow, onResume }: AttentionBannersProps) {
  // Deferred slots wait for the laptop on purpose: their own banner says so (alert-status.tsx).
  const missedOf = (j: JobStatus) => j.outstanding.filter((o) => !isDeferral(o.cause));
  const missed = jobs.filter((j) => missedOf(j).length > 0);
  // A job already in the missed banner needs no second warning for the same gap.
  const stale = jobs.filter((j) => j.stale && j.outstanding.length === 0);
  return (
    <>
      {missed.length > 0 ? (
        <section className="banner banner-warn" data-testid="missed-banner" role="alert">
          <div className="banner-text">
            {missed.map((j) => {
              const line = missedLine(j, missedOf(j));
              return (
                <p key={j.job}>
                  <strong>Backup missed: {j.job}</strong> — {line.text}.{line.failedTry ? <span className="error-text"> {line.failedTry}</span> : null}
                </p>
              );
            })}
          </div>
          <button
            type="button"
            className="primary"
            data-testid="missed-run-now"
            disabled={busy || missed.every((j) => j.running)}
            onClick={() => onRunNow(missed.filter((j) => !j.running).map((j) => j.job))}
          >
            Run now
          </button>
        </section>
      ) : null}
      {stale.length > 0 ? (
        <section className="banner banner-error" data-testid="stale-banner" role="alert">
          <div className="banner-text">
            {stale.map((j) => (
              <p key={j.job}>
                <strong>Backups are stale: {j.job}</strong> — {j.lastSuccessAt ? `last success ${formatAgo(j.lastSuccessAt, now)}` : 'no successful backup yet'}
              </p>
            ))}
          </div>
          <button
            type="button"
            className="primary"
            data-testid="stale-run-now"
            disabled={busy || stale.every((j) => j.running)}
            onClick={() => onRunNow(stale.filter((j) => !j.running).map((j) => j.job))}
          >
            Run now
          </button>
        </section>
      ) : null}
      {paused ? (
        <section className="banner banner-info" data-testid="paused-banner">
          <div className="banner-text">
            <p>
              <strong>Schedule paused</strong> — no backup starts by itself until you resume.
            </p>
          </div>
          <button type="button" data-testid="resume-schedule" disabled={busy} onClick={onResume}>
            Resume
          </button>
        </section>
      ) : null}
    </>
  );
}
