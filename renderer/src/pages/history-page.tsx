/**
 * Past runs: a chart of what was sent and how long it took, the list, and
 * the detail of one run.
 */
import { useEffect, useState } from 'react';
import type { BurrowBridge } from '../../../shared/api-contract';
import type { RunRecord } from '../../../shared/run-types';
import { HistoryChart } from '../components/history-chart';
import { HistoryTable } from '../components/history-table';
import { RunDetail } from '../components/run-detail';
import { errorMessage } from '../lib/errors';

export interface HistoryPageProps {
  bridge: BurrowBridge;
  runsVersion: number;
  /** A run to open straight away (from a job card's "last result"). */
  initialRunId?: string | undefined;
}

/** The history page; `run-detail` replaces the list while a run is open. */
export function HistoryPage({ bridge, runsVersion, initialRunId }: HistoryPageProps) {
  const [runs, setRuns] = useState<RunRecord[] | undefined>();
  const [error, setError] = useState<string>();
  const [openId, setOpenId] = useState<string | undefined>(initialRunId);
  const [detail, setDetail] = useState<RunRecord | null | undefined>();
  const [returnTo, setReturnTo] = useState<string>();

  useEffect(() => {
    let alive = true;
    bridge.listRuns({ limit: 200 }).then(
      (list) => {
        if (!alive) return;
        setRuns(list); // newest first, as History.listRuns returns them
        setError(undefined);
      },
      (err: unknown) => alive && setError(errorMessage(err)),
    );
    return () => {
      alive = false;
    };
  }, [bridge, runsVersion]);

  useEffect(() => {
    if (openId === undefined) return undefined;
    let alive = true;
    setDetail(undefined);
    bridge.getRun({ id: openId }).then(
      (run) => alive && setDetail(run),
      (err: unknown) => {
        if (!alive) return;
        setError(errorMessage(err));
        setDetail(null);
      },
    );
    return () => {
      alive = false;
    };
    // runsVersion: a run opened while it was running gets its final record.
  }, [bridge, openId, runsVersion]);

  // Back from a run, the keyboard continues from the row it left.
  useEffect(() => {
    if (openId !== undefined || returnTo === undefined) return;
    document.querySelector<HTMLElement>(`tr[data-run-id="${CSS.escape(returnTo)}"]`)?.focus();
  }, [openId, returnTo, runs]);

  const open = (id: string) => {
    setReturnTo(id);
    setOpenId(id);
  };

  return (
    <section className="page" aria-labelledby="history-title">
      <div className="page-head">
        <h2 id="history-title">History</h2>
      </div>
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
      {openId !== undefined ? (
        detail ? (
          <RunDetail run={detail} onClose={() => setOpenId(undefined)} />
        ) : detail === null ? (
          <div className="run-detail" data-testid="run-detail">
            <p>This run is not in the history.</p>
            <button type="button" onClick={() => setOpenId(undefined)}>
              Back to the list
            </button>
          </div>
        ) : (
          <p className="muted">Loading the run…</p>
        )
      ) : runs === undefined ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <HistoryChart runs={runs} />
          {runs.length === 0 ? <p className="muted">No runs yet.</p> : <HistoryTable runs={runs} onOpen={open} />}
        </>
      )}
    </section>
  );
}
