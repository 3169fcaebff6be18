/**
 * One job on the status page: when it last worked, when it runs next, and,
 * while it runs, its tunnel, transfer and steps as they happen.
 */
import { useEffect, useState } from 'react';
import type { BurrowBridge, LiveRun } from '../../../shared/api-contract';
import type { JobStatus } from '../../../shared/engine-events';
import type { RunRecord } from '../../../shared/run-types';
import { useAction } from '../hooks/use-action';
import { formatAgo, formatDateTime, formatIn } from '../lib/format';
import { runStatusWord } from '../lib/words';
import { StepTimeline } from './step-timeline';
import { TransferProgress } from './transfer-progress';
import { TunnelStatus } from './tunnel-status';

export interface JobCardProps {
  bridge: BurrowBridge;
  job: JobStatus;
  live: LiveRun | undefined;
  now: number;
  onOpenRun: (runId: string) => void;
}

/** `job-card-<job>` with Run now / Cancel, tunnel, progress and step timeline. */
export function JobCard({ bridge, job, live, now, onOpenRun }: JobCardProps) {
  const name = job.job;
  const [lastRun, setLastRun] = useState<RunRecord | undefined>();
  const { busy, message: notice, run: act } = useAction();
  const running = job.running || live !== undefined;
  // This job's last run, as the state has it: the card reloads the record only when that changes.
  const lastRunKey = job.lastRun ? `${job.lastRun.id} ${job.lastRun.status}` : '';

  const lastRunId = job.lastRun?.id;
  useEffect(() => {
    let alive = true;
    if (lastRunId === undefined) return undefined;
    bridge.getRun({ id: lastRunId }).then(
      (run) => {
        if (alive) setLastRun(run ?? undefined);
      },
      () => undefined, // the card still works without its last run; the status line says the rest
    );
    return () => {
      alive = false;
    };
  }, [bridge, lastRunId, lastRunKey]);

  const runNow = () =>
    act(async () => {
      const r = await bridge.runNow({ job: name });
      return r.started ? undefined : (r.message ?? 'The run did not start.');
    });
  const cancel = () =>
    act(async () => {
      const r = await bridge.cancelRun({ job: name });
      return r.cancelled ? 'Cancelling…' : 'Nothing to cancel.';
    });

  const steps = live?.steps ?? lastRun?.steps ?? [];
  const last = job.lastRun;

  return (
    <article className="card job-card" data-testid={`job-card-${name}`} aria-labelledby={`job-title-${name}`}>
      <header className="card-head">
        <h3 id={`job-title-${name}`}>{name}</h3>
        <div className="actions">
          <button type="button" className="primary" data-testid={`run-now-${name}`} disabled={running || busy} onClick={runNow}>
            Run now
          </button>
          {running ? (
            <button type="button" data-testid={`cancel-${name}`} disabled={busy} onClick={cancel}>
              Cancel
            </button>
          ) : null}
        </div>
      </header>

      <dl className="facts">
        <div>
          <dt>Last success</dt>
          <dd title={job.lastSuccessAt ? formatDateTime(job.lastSuccessAt) : undefined}>{formatAgo(job.lastSuccessAt, now)}</dd>
        </div>
        <div>
          <dt>Next run</dt>
          <dd>{job.paused ? 'paused' : `${formatDateTime(job.nextRunAt)} (${formatIn(job.nextRunAt, now)})`}</dd>
        </div>
        <div>
          <dt>Last result</dt>
          <dd>
            {last ? (
              <button type="button" className="link" onClick={() => onOpenRun(last.id)} title="Open this run">
                <span className={`status-text status-${last.status}`}>{runStatusWord(last.status)}</span> {formatDateTime(last.endedAt ?? last.startedAt)}
              </button>
            ) : (
              'no run yet'
            )}
          </dd>
        </div>
      </dl>

      {job.queued && !live ? (
        <p className="notice" role="status" data-testid={`queued-${name}`}>
          Queued since {formatDateTime(job.queued.since)}: {job.queued.ahead} backup{job.queued.ahead === 1 ? '' : 's'} ahead (at most a set number run at once,
          one per source host).
        </p>
      ) : null}

      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}

      <TunnelStatus job={name} tunnel={live?.tunnel} />
      {live ? <TransferProgress job={name} progress={live.progress} /> : null}

      <p className="timeline-caption muted">{live ? 'This run' : lastRun ? `Last run, ${formatDateTime(lastRun.startedAt)}` : 'No run yet'}</p>
      <StepTimeline job={name} steps={steps} now={now} />
      {!live && lastRun?.error ? <p className="error-text">{lastRun.error.message}</p> : null}
    </article>
  );
}
