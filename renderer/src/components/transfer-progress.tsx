/**
 * The live transfer of a run: how far rsync is, how fast, and what it is
 * sending now.
 */
import type { TransferProgress as Progress } from '../../../shared/run-types';
import { formatBytes, formatEta, formatPercent, formatSpeed } from '../lib/format';

export interface TransferProgressProps {
  job: string;
  progress: Progress | undefined;
}

/** A progress bar with percent, speed, ETA and bytes; `progress-<job>`. */
export function TransferProgress({ job, progress }: TransferProgressProps) {
  const percent = progress ? Math.min(100, Math.max(0, progress.percent)) : 0;
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
          <span>{formatSpeed(progress.speedBps)}</span>
          <span>{formatEta(progress.etaSec)}</span>
          <span>{formatBytes(progress.bytes)} sent</span>
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
