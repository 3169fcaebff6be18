import { BurrowError } from '../../engine/errors';
import { History } from '../../engine/state/history';
import { stateDir } from '../../engine/paths';
import type { CommandContext } from '../main';
import { formatBytes } from '../../../shared/format-bytes';
import { RUN_STATUSES, type RunStatus } from '../../../shared/run-types';
import type { RunFilter } from '../../engine/state/history';

/** `--status` and `--since` as a filter, each refused by name when it is not one. */
function filterOf(values: CommandContext['values']): Pick<RunFilter, 'status' | 'from'> {
  const filter: Pick<RunFilter, 'status' | 'from'> = {};
  if (typeof values.status === 'string') {
    if (!(RUN_STATUSES as readonly string[]).includes(values.status))
      throw new BurrowError('config', `--status ${values.status}: must be one of ${RUN_STATUSES.join(', ')}`);
    filter.status = values.status as RunStatus;
  }
  if (typeof values.since === 'string') {
    // A day is local midnight (what a person means by "since Monday"); a time is taken as written.
    const day = /^\d{4}-\d{2}-\d{2}$/.test(values.since);
    const from = new Date(day ? `${values.since}T00:00:00` : values.since);
    if (Number.isNaN(from.getTime()))
      throw new BurrowError('config', `--since ${values.since}: must be a day (2026-11-23) or a date and time (2026-11-23T12:30)`);
    filter.from = from;
  }
  return filter;
}

/**
 * `burrow history`: runs, newest first. Reads only the runs it prints (an
 * index walk of `--limit` rows), whatever the size of the history; `--json`
 * prints their whole records. `--status` and `--since` narrow the runs (a
 * filtered listing leaves out the verify lines: they are not runs).
 */
export async function historyCommand({ io, values }: CommandContext): Promise<number> {
  const limit = typeof values.limit === 'string' ? Number(values.limit) : 50;
  if (!Number.isInteger(limit) || limit < 1) throw new BurrowError('config', `--limit ${String(values.limit)}: must be a whole number of runs, 1 or more`);
  const job = typeof values.job === 'string' ? values.job : undefined;
  const filter = filterOf(values);
  const history = await History.open(stateDir());
  try {
    const runs = history.listRuns({ ...(job !== undefined ? { job } : {}), ...filter, limit });
    if (values.json) {
      io.out(
        JSON.stringify(
          runs.map((r) => history.getRun(r.id) ?? r),
          null,
          2,
        ),
      );
      return 0;
    }
    const verifies = filter.status || filter.from ? [] : history.verifyRuns(job, limit);
    if (runs.length === 0) io.out(filter.status || filter.from ? 'no runs match' : 'no runs yet');
    for (const r of runs) {
      const secs = r.endedAt ? ((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000).toFixed(1) : '-';
      const bytes = r.bytesSent !== undefined ? formatBytes(r.bytesSent) : '-';
      io.out(
        `${r.startedAt}  ${r.job.padEnd(12)} ${r.trigger.padEnd(9)} ${r.status.padEnd(10)} ${secs.padStart(7)} s  ${bytes.padStart(9)}  ${r.error ? `${r.error.step}: ${r.error.message}` : ''}`,
      );
    }
    for (const v of verifies) {
      const bad = v.results.filter((r) => !r.ok);
      io.out(
        `${v.at}  ${v.job.padEnd(12)} verify    ${bad.length ? 'FAILED' : 'ok'}${' '.repeat(bad.length ? 4 : 8)} ${v.results.length} archive(s)${bad.map((r) => `; ${r.name}: ${r.problems.join(', ')}`).join('')}`,
      );
    }
    return 0;
  } finally {
    history.close();
  }
}
