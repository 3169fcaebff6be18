import { BurrowError } from '../../engine/errors';
import { History } from '../../engine/state/history';
import { stateDir } from '../../engine/paths';
import type { CommandContext } from '../main';
import { formatBytes } from '../../../shared/format-bytes';

/**
 * `burrow history`: runs, newest first. Reads only the runs it prints (an
 * index walk of `--limit` rows), whatever the size of the history; `--json`
 * prints their whole records.
 */
export async function historyCommand({ io, values }: CommandContext): Promise<number> {
  const limit = typeof values.limit === 'string' ? Number(values.limit) : 50;
  if (!Number.isInteger(limit) || limit < 1) throw new BurrowError('config', `--limit ${String(values.limit)}: must be a whole number of runs, 1 or more`);
  const job = typeof values.job === 'string' ? values.job : undefined;
  const history = await History.open(stateDir());
  try {
    const runs = history.listRuns({ ...(job !== undefined ? { job } : {}), limit });
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
    const verifies = history.verifyRuns(job, limit);
    if (runs.length === 0) io.out('no runs yet');
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
