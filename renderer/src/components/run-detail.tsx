/**
 * Everything one run did: each step with its time, what it did, why it
 * failed, and the shell command that does the same by hand.
 */
import { useEffect, useRef } from 'react';
import type { RunRecord } from '../../../shared/run-types';
import { CopyableText } from './copy-button';
import { durationBetween, formatBytes, formatDateTime, formatDuration } from '../lib/format';
import { runStatusWord, STEP_HINTS, stepLabel, stepStatusWord } from '../lib/words';

export interface RunDetailProps {
  run: RunRecord;
  onClose: () => void;
}

/** `run-detail`; focus moves to its heading so keyboard users land in it. */
export function RunDetail({ run, onClose }: RunDetailProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [run.id]);

  return (
    <section className="run-detail" data-testid="run-detail" aria-labelledby="run-detail-title">
      <div className="page-head">
        <h3 id="run-detail-title" ref={heading} tabIndex={-1}>
          {run.job}, {formatDateTime(run.startedAt)}
        </h3>
        <button type="button" data-testid="run-detail-close" onClick={onClose}>
          Back to the list
        </button>
      </div>
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd className={`status-text status-${run.status}`}>{runStatusWord(run.status)}</dd>
        </div>
        <div>
          <dt>Trigger</dt>
          <dd>
            {run.trigger}
            {run.slot ? ` (slot ${formatDateTime(run.slot)})` : ''}
          </dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(durationBetween(run.startedAt, run.endedAt))}</dd>
        </div>
        <div>
          <dt>Sent</dt>
          <dd>{formatBytes(run.transfer?.bytesSent)}</dd>
        </div>
        {run.tunnelPort !== undefined ? (
          <div>
            <dt>Tunnel port</dt>
            <dd>{run.tunnelPort}</dd>
          </div>
        ) : null}
        <div>
          <dt>Run id</dt>
          <dd className="mono">{run.id}</dd>
        </div>
      </dl>
      {run.error ? (
        <p className="error-text" data-testid="run-error" role="note">
          <strong>{run.error.kind}</strong>
          {run.error.step ? ` in ${stepLabel(run.error.step).toLowerCase()}` : ''}: {run.error.message}
        </p>
      ) : null}
      <ol className="step-details">
        {run.steps.map((step) => (
          <li key={step.name} className={`step-detail step-${step.status}`} data-testid={`run-step-${step.name}`} data-status={step.status}>
            <div className="step-detail-head">
              <strong title={`${step.name}: ${STEP_HINTS[step.name]}`}>{stepLabel(step.name)}</strong>
              <span className="status-text">{stepStatusWord(step.status)}</span>
              <span className="muted">{formatDuration(step.durationMs)}</span>
              {step.bytes !== undefined ? <span className="muted">{formatBytes(step.bytes)}</span> : null}
            </div>
            {step.detail ? <p>{step.detail}</p> : null}
            {step.error ? (
              <p className="error-text">
                {step.error.kind}: {step.error.message}
              </p>
            ) : null}
            {step.command ? <CopyableText text={step.command} what={`command for ${stepLabel(step.name).toLowerCase()}`} /> : null}
          </li>
        ))}
      </ol>
      <h4>Log</h4>
      {run.log && run.log.length > 0 ? (
        <ol className="run-log" data-testid="run-log" aria-label="The run's log">
          {run.log.map((line, i) => (
            <li key={i} className={`log-${line.level}`}>
              {new Date(line.at).toLocaleTimeString()} {line.level === 'info' ? '' : `${line.level}: `}
              {line.message}
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted" data-testid="run-log">
          Nothing was logged beyond the steps above.
        </p>
      )}
      {(run.packed?.length ?? 0) + (run.pruned?.length ?? 0) + (run.verified?.length ?? 0) > 0 ? (
        <dl className="facts archives">
          {run.packed?.length ? (
            <div>
              <dt>Packed</dt>
              <dd>{run.packed.map((a) => `${a.name} (${formatBytes(a.size)})`).join(', ')}</dd>
            </div>
          ) : null}
          {run.pruned?.length ? (
            <div>
              <dt>Pruned</dt>
              <dd>{run.pruned.join(', ')}</dd>
            </div>
          ) : null}
          {run.verified?.length ? (
            <div>
              <dt>Verified</dt>
              <dd>{run.verified.map((a) => a.name).join(', ')}</dd>
            </div>
          ) : null}
        </dl>
      ) : null}
    </section>
  );
}
