/**
 * Past runs: a chart of what each listed run sent and how long it took, the
 * list a page at a time with filters (job, result, dates), and the detail
 * of one run with its log. Only summaries travel for the list;
 * a run's whole record is fetched when it is opened.
 */
import { useEffect, useState } from 'react';
import type { ArgsOf, BurrowBridge } from '../../../shared/api-contract';
import { RUN_STATUSES, type RunRecord, type RunStatus, type RunSummary } from '../../../shared/run-types';
import { HistoryChart } from '../components/history-chart';
import { HistoryTable } from '../components/history-table';
import { RunDetail } from '../components/run-detail';
import { errorMessage } from '../lib/errors';
import { runStatusWord } from '../lib/words';

export interface HistoryPageProps {
  bridge: BurrowBridge;
  runsVersion: number;
  /** The configured jobs, for the job filter. */
  jobs: readonly string[];
  /** A run to open straight away (from a job card's "last result"). */
  initialRunId?: string | undefined;
}

/** Runs fetched per page. */
export const PAGE_SIZE = 100;

interface Filters {
  job: string;
  status: '' | RunStatus;
  /** `YYYY-MM-DD`, local days, inclusive. */
  from: string;
  to: string;
}

function query(f: Filters): ArgsOf<'listRuns'> {
  const q: ArgsOf<'listRuns'> = { limit: PAGE_SIZE };
  if (f.job) q.job = f.job;
  if (f.status) q.status = f.status;
  if (f.from) q.from = new Date(`${f.from}T00:00:00`).toISOString();
  if (f.to) q.to = new Date(`${f.to}T23:59:59.999`).toISOString();
  return q;
}

/** The history page; `run-detail` replaces the list while a run is open. */
export function HistoryPage({ bridge, runsVersion, jobs, initialRunId }: HistoryPageProps) {
  const [filters, setFilters] = useState<Filters>({ job: '', status: '', from: '', to: '' });
  const [runs, setRuns] = useState<RunSummary[] | undefined>();
  const [next, setNext] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string>();
  const [openId, setOpenId] = useState<string | undefined>(initialRunId);
  const [detail, setDetail] = useState<RunRecord | null | undefined>();
  const [returnTo, setReturnTo] = useState<string>();

  // The first page, again whenever the filters change or a run ends.
  useEffect(() => {
    let alive = true;
    bridge.listRuns(query(filters)).then(
      (page) => {
        if (!alive) return;
        setRuns(page.runs); // newest first
        setNext(page.next);
        setError(undefined);
      },
      (err: unknown) => alive && setError(errorMessage(err)),
    );
    return () => {
      alive = false;
    };
  }, [bridge, runsVersion, filters]);

  const loadMore = () => {
    if (!next) return;
    setLoadingMore(true);
    bridge
      .listRuns({ ...query(filters), before: next })
      .then(
        (page) => {
          setRuns((have) => [...(have ?? []), ...page.runs]);
          setNext(page.next);
        },
        (err: unknown) => setError(errorMessage(err)),
      )
      .finally(() => setLoadingMore(false));
  };

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
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const filtered = filters.job !== '' || filters.status !== '' || filters.from !== '' || filters.to !== '';

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
          <form className="history-filters" data-testid="history-filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter runs">
            <label>
              Job{' '}
              <select data-testid="filter-job" value={filters.job} onChange={(e) => set({ job: e.target.value })}>
                <option value="">all</option>
                {jobs.map((j) => (
                  <option key={j} value={j}>
                    {j}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Result{' '}
              <select data-testid="filter-status" value={filters.status} onChange={(e) => set({ status: e.target.value as Filters['status'] })}>
                <option value="">all</option>
                {RUN_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {runStatusWord(s)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              From <input type="date" data-testid="filter-from" value={filters.from} onChange={(e) => set({ from: e.target.value })} />
            </label>
            <label>
              To <input type="date" data-testid="filter-to" value={filters.to} onChange={(e) => set({ to: e.target.value })} />
            </label>
          </form>
          {runs.length === 0 ? (
            <p className="muted" data-testid="history-empty">
              {filtered ? 'No runs match these filters.' : 'No runs yet: the list and its chart fill in as backups run.'}
            </p>
          ) : (
            <HistoryTable runs={runs} onOpen={open} />
          )}
          {next ? (
            <p>
              <button type="button" data-testid="history-more" disabled={loadingMore} onClick={loadMore}>
                {loadingMore ? 'Loading…' : `Show ${PAGE_SIZE} older runs`}
              </button>
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
