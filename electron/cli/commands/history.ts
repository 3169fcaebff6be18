import { History } from '../../engine/state/history';
import { stateDir } from '../../engine/paths';
import { join } from 'node:path';
import type { CommandContext } from '../main';
import { formatBytes } from '../../../shared/format-bytes';

/** `burrow history`: runs, newest first. */
export async function historyCommand({ io, values }: CommandContext): Promise<number> {
  const history = await History.open(join(stateDir(), 'history.jsonl'));
  const limit = typeof values.limit === 'string' ? Number(values.limit) : 50;
  const runs = history.listRuns({ ...(typeof values.job === 'string' ? { job: values.job } : {}), limit });
  if (values.json) {
    io.out(JSON.stringify(runs, null, 2));
    return 0;
  }
  const verifies = history.verifyRuns(typeof values.job === 'string' ? values.job : undefined).slice(0, limit);
  if (runs.length === 0) io.out('no runs yet');
  for (const r of runs) {
    const secs = r.endedAt ? ((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000).toFixed(1) : '-';
    const bytes = r.transfer ? formatBytes(r.transfer.bytesSent) : '-';
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
}
