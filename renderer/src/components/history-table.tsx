/**
 * The list of runs, newest first. A row opens its run with a click or with
 * Enter/Space, so the list works from the keyboard.
 */
import type { KeyboardEvent } from 'react';
import type { RunSummary } from '../../../shared/run-types';
import { durationBetween, formatBytes, formatDateTime, formatDuration } from '../lib/format';
import { runStatusWord } from '../lib/words';

export interface HistoryTableProps {
  runs: readonly RunSummary[];
  onOpen: (runId: string) => void;
}

/** One `history-row` per run, `data-status` = the run's status. */
export function HistoryTable({ runs, onOpen }: HistoryTableProps) {
  const onKey = (e: KeyboardEvent<HTMLTableRowElement>, id: string) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onOpen(id);
    }
  };
  return (
    <table className="history">
      <caption className="visually-hidden">Runs, newest first. Press Enter on a row to open it.</caption>
      <colgroup>
        <col className="c-start" />
        <col className="c-status" />
        <col className="c-job" />
        <col className="c-duration" />
        <col className="c-bytes" />
        <col className="c-trigger" />
        <col className="c-error" />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">Start</th>
          <th scope="col">Status</th>
          <th scope="col">Job</th>
          <th scope="col">Duration</th>
          <th scope="col">Sent</th>
          <th scope="col">Trigger</th>
          <th scope="col">Error</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr
            key={run.id}
            data-testid="history-row"
            data-status={run.status}
            data-run-id={run.id}
            tabIndex={0}
            className="clickable"
            aria-label={`${run.job} ${runStatusWord(run.status)}, ${formatDateTime(run.startedAt)}: open details`}
            onClick={() => onOpen(run.id)}
            onKeyDown={(e) => onKey(e, run.id)}
          >
            <td title={formatDateTime(run.startedAt)}>{formatDateTime(run.startedAt)}</td>
            <td>
              <span className={`status-text status-${run.status}`}>{runStatusWord(run.status)}</span>
            </td>
            <td className="ellipsis" title={run.job}>
              {run.job}
            </td>
            <td>{run.status === 'running' ? '…' : formatDuration(durationBetween(run.startedAt, run.endedAt))}</td>
            <td data-testid="history-sent">{formatBytes(run.bytesSent)}</td>
            <td>{run.trigger}</td>
            <td className="ellipsis" title={run.error?.message}>
              {run.error?.message ?? ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
