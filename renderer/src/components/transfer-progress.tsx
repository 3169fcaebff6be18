/**
 * The live transfer of a run, labelled: how much of how much, how fast, and
 * about how long is left (a smoothed estimate, see lib/eta.ts), and the file
 * being sent now.
 */
import type { TransferProgress as Progress } from '../../../shared/run-types';
import { formatBytes, formatPercent, formatSpeed } from '../lib/format';
import { formatTimeLeft, type Estimate } from '../lib/eta';

export interface TransferProgressProps {
  job: string;
  progress: Progress | undefined;
  estimate: Estimate | undefined;
  /** Cancel was asked for: the numbers stop meaning "still coming". */
  stopping: boolean;
}

/** A progress bar; `progress-<job>` holds the percent, `progress-amount-<job>` "X of Y", `progress-eta-<job>` the time left. */
export function TransferProgress({ job, progress, estimate, stopping }: TransferProgressProps) {
  const percent = progress ? Math.min(100, Math.max(0, progress.percent)) : 0;
  const left = stopping ? 'stopping…' : formatTimeLeft(estimate?.etaSec);
  const total = estimate?.totalBytes;
  return (
    <div className="transfer" data-testid={`progress-${job}`}>
      <div className="transfer-bar">
        <progress max={100} value={percent} aria-label={`Transfer of ${job}`}>
          {formatPercent(percent)}
        </progress>
        <span className="transfer-percent">{formatPercent(percent)}</span>
      </div>
      {progress ? (
        <p className="transfer-stats">
          <span data-testid={`progress-amount-${job}`}>
            {formatBytes(progress.bytes)}
            {total !== undefined ? ` of ${formatBytes(total)}` : ''} sent
          </span>
          <span aria-hidden="true">·</span>
          <span title="Average speed over the last few seconds">{formatSpeed(estimate?.speedBps ?? progress.speedBps)}</span>
          {left ? (
            <>
              <span aria-hidden="true">·</span>
              <span data-testid={`progress-eta-${job}`}>{left}</span>
            </>
          ) : null}
        </p>
      ) : (
        <p className="transfer-stats muted">Waiting for the transfer to start…</p>
      )}
      {progress?.file ? (
        <p className="transfer-file" title={progress.file}>
          {progress.file}
        </p>
      ) : null}
    </div>
  );
}
