/**
 * One job on the status page: a headline (what the run does now, and its
 * place in the run), when it last worked and runs next, and while it runs
 * its tunnel, transfer and steps as they happen.
 */
import { useEffect, useState } from 'react';
import type { BurrowBridge, LiveRun } from '../../../shared/api-contract';
import type { JobStatus } from '../../../shared/engine-events';
import type { RunRecord } from '../../../shared/run-types';
import { useAction } from '../hooks/use-action';
import { nextEstimate, type Estimate } from '../lib/eta';
import { formatAgo, formatDateTime, formatIn } from '../lib/format';
import { describeSchedule, shortSchedule } from '../lib/schedule-text';
import { runHeadline, runStatusWord } from '../lib/words';
import { StepTimeline } from './step-timeline';
import { TransferProgress } from './transfer-progress';
import { TunnelStatus } from './tunnel-status';

export interface JobCardProps {
  bridge: BurrowBridge;
  job: JobStatus;
  live: LiveRun | undefined;
  now: number;
  /** Whether this Burrow runs the schedule (`serve --no-schedule` and the demo do not). */
  scheduling: boolean;
  onOpenRun: (runId: string) => void;
}

/** The transfer's smoothed estimate, kept per run and advanced on each progress line. */
function useEstimate(live: LiveRun | undefined): Estimate | undefined {
  const [held, setHeld] = useState<{ runId: string; progress: LiveRun['progress']; estimate: Estimate }>();
  const progress = live?.progress;
  useEffect(() => {
    if (!live || !progress) return;
    setHeld((h) => {
      if (h?.runId === live.runId && h.progress === progress) return h;
      return { runId: live.runId, progress, estimate: nextEstimate(h?.runId === live.runId ? h.estimate : undefined, progress) };
    });
  }, [live, progress]);
  return held && held.runId === live?.runId ? held.estimate : undefined;
}

/** `job-card-<job>` with `run-headline-<job>`, Run now / Cancel, tunnel, progress and step timeline. */
export function JobCard({ bridge, job, live, now, scheduling, onOpenRun }: JobCardProps) {
  const name = job.job;
  const [lastRun, setLastRun] = useState<RunRecord | undefined>();
  /** The run Cancel was asked for: the card says so at once, until that run has ended. */
  const [cancelling, setCancelling] = useState<string>();
  const { busy, message: notice, run: act } = useAction();
  const running = job.running || live !== undefined;
  const estimate = useEstimate(live);
  const stopping = live !== undefined && cancelling === live.runId;
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
      if (!r.started) return r.message ?? 'The run did not start.';
      return r.warning;
    });
  const cancel = () => {
    const runId = live?.runId;
    if (runId) setCancelling(runId);
    return act(async () => {
      const r = await bridge.cancelRun({ job: name });
      if (r.cancelled) return undefined;
      setCancelling(undefined);
      return 'Nothing to cancel: the run had already ended.';
    });
  };

  const steps = live?.steps ?? lastRun?.steps ?? [];
  const last = job.lastRun;
  const headline = stopping ? 'Cancelling: stopping the transfer and cleaning up…' : live ? runHeadline(live.steps) : running ? 'Starting…' : undefined;
  const schedule = describeSchedule(job.schedule);

  return (
    <article className="card job-card" data-testid={`job-card-${name}`} aria-labelledby={`job-title-${name}`}>
      <header className="card-head">
        <div className="card-title">
          <h3 id={`job-title-${name}`}>{name}</h3>
          {headline ? (
            <p className={`run-headline${stopping ? ' run-headline-stopping' : ''}`} data-testid={`run-headline-${name}`} role="status">
              {headline}
            </p>
          ) : null}
        </div>
        <div className="actions">
          <button type="button" className="primary" data-testid={`run-now-${name}`} disabled={running || busy} onClick={() => void runNow()}>
            Run now
          </button>
          {running ? (
            <button type="button" data-testid={`cancel-${name}`} disabled={busy || stopping} onClick={() => void cancel()}>
              {stopping ? 'Cancelling…' : 'Cancel'}
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
          <dd data-testid={`next-run-${name}`} title={schedule}>
            {!scheduling
              ? `not scheduled here${shortSchedule(job.schedule) ? ` (${shortSchedule(job.schedule)})` : ''}`
              : job.paused
                ? 'paused'
                : `${formatDateTime(job.nextRunAt)} (${formatIn(job.nextRunAt, now)})`}
          </dd>
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

      <TunnelStatus job={name} tunnel={live?.tunnel} running={live !== undefined} source={job.source} destination={job.destination} />
      {live ? <TransferProgress job={name} progress={live.progress} estimate={estimate} stopping={stopping} /> : null}

      <p className="timeline-caption muted">{live ? 'This run' : lastRun ? `Last run, ${formatDateTime(lastRun.startedAt)}` : 'No run yet'}</p>
      <StepTimeline job={name} steps={steps} now={now} />
      {!live && lastRun?.error ? <p className="error-text">{lastRun.error.message}</p> : null}
    </article>
  );
}
