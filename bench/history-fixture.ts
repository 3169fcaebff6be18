/**
 * A long history for the idle measurement: `runs` daily runs of one job,
 * written through the history store as the engine writes them (history.db
 * in the state dir, read back through History to check it): each run's record at its
 * start (the engine's newRunRecord) and at its end (a real finished record
 * from the bench's engine runs, its dates, stamps and archive names moved to
 * that day), the scheduler's `checked` line of each day, one run in twenty
 * failed, and one day in thirty missed with the laptop off and caught up the
 * day after.
 */
import { statSync } from 'node:fs';
import type { JobConfig } from '../shared/config-schema';
import type { RunRecord } from '../shared/run-types';
import { newRunRecord } from '../electron/engine/backup-run';
import { History, type HistoryEntry } from '../electron/engine/state/history';

const DAY_MS = 86_400_000;
const ISO = /\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\b/g;
const DATE = /\b(\d{4})-(\d\d)-(\d\d)\b(?!T)/g;
const STAMP = /\b(20\d\d)(\d\d)(\d\d)\b/g;

/** `json` with every ISO time, YYYY-MM-DD date and YYYYMMDD stamp in it moved by `days`. */
function shiftDays(json: string, days: number): string {
  const moved = (y: string, m: string, d: string, sep: string) => {
    const t = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)) + days * DAY_MS);
    return [t.getUTCFullYear(), String(t.getUTCMonth() + 1).padStart(2, '0'), String(t.getUTCDate()).padStart(2, '0')].join(sep);
  };
  return json
    .replace(ISO, (iso) => new Date(Date.parse(iso) + days * DAY_MS).toISOString())
    .replace(DATE, (_s, y: string, m: string, d: string) => moved(y, m, d, '-'))
    .replace(STAMP, (_s, y: string, m: string, d: string) => moved(y, m, d, ''));
}

/** A run that could not reach the source: connect failed, the rest skipped, teardown done. */
function failedRun(start: RunRecord, job: JobConfig): RunRecord {
  const endedAt = new Date(Date.parse(start.startedAt) + 20_000).toISOString();
  const error = { kind: 'unreachable' as const, message: `${job.name}: the source did not answer on port 22 (connect ETIMEDOUT)`, step: 'connect' as const };
  return {
    ...start,
    status: 'failed',
    endedAt,
    error,
    steps: start.steps.map((s) =>
      s.name === 'connect'
        ? { ...s, status: 'failed', startedAt: start.startedAt, endedAt, durationMs: 20_000, error }
        : s.name === 'teardown'
          ? { ...s, status: 'ok', startedAt: endedAt, endedAt, durationMs: 1, detail: 'nothing to tear down' }
          : { ...s, status: 'skipped' },
    ),
  };
}

/** The history's entries, oldest first: `runs` runs of `job`, one a day up to the day before `end`, copied from `templates` in turn. */
export function historyEntries(job: JobConfig, templates: RunRecord[], runs: number, end: Date): HistoryEntry[] {
  if (templates.length === 0) throw new Error('a history fixture needs at least one finished run record to copy');
  const entries: HistoryEntry[] = [];
  const days = runs + Math.floor(runs / 29);
  // The default schedule's slot, 12:30 local time.
  const firstDay = new Date(end.getFullYear(), end.getMonth(), end.getDate() - days, 12, 30);
  let missed: string | undefined;
  for (let d = 0, i = 0; i < runs && d < days; d++) {
    const slot = new Date(firstDay.getFullYear(), firstDay.getMonth(), firstDay.getDate() + d, 12, 30);
    if (d % 30 === 29) {
      // The laptop was off: the slot is found missed the next day, and that day's run catches it up.
      missed = slot.toISOString();
      entries.push({ t: 'missed', job: job.name, slot: missed, cause: 'laptop-off', detectedAt: new Date(slot.getTime() + DAY_MS - 60_000).toISOString() });
      continue;
    }
    const trigger = missed ? 'catch-up' : 'schedule';
    const start = newRunRecord(job, trigger, slot);
    if (trigger === 'schedule') start.slot = slot.toISOString();
    entries.push({ t: 'run', run: start });
    const template = templates[i % templates.length]!;
    const shift = Math.round((slot.getTime() - Date.parse(template.startedAt)) / DAY_MS);
    let done: RunRecord = { ...(JSON.parse(shiftDays(JSON.stringify(template), shift)) as RunRecord), ...start, status: 'succeeded' };
    done.steps = JSON.parse(shiftDays(JSON.stringify(template.steps), shift)) as RunRecord['steps'];
    done.endedAt = new Date(slot.getTime() + done.steps.reduce((a, s) => a + (s.durationMs ?? 0), 0)).toISOString();
    if (i % 20 === 19) done = failedRun(start, job);
    entries.push({ t: 'run', run: done });
    if (missed) {
      entries.push({ t: 'caught-up', job: job.name, slots: [missed], runId: start.id, at: done.endedAt! });
      missed = undefined;
    }
    entries.push({ t: 'checked', job: job.name, until: done.endedAt! });
    i++;
  }
  // Checked up to now, so the daemon finds nothing missed and starts no catch-up.
  entries.push({ t: 'checked', job: job.name, until: end.toISOString() });
  return entries;
}

/** Writes the fixture into the history of `stateDir` and reads it back with History; throws unless every run is there. */
export async function writeHistoryFixture(
  stateDir: string,
  job: JobConfig,
  templates: RunRecord[],
  runs: number,
  end = new Date(),
): Promise<{ runs: number; bytes: number }> {
  const entries = historyEntries(job, templates, runs, end);
  const h = await History.open(stateDir);
  try {
    await h.addAll(entries);
    const n = h.listRuns({ job: job.name }).filter((r) => r.status !== 'running').length;
    const expected = entries.filter((e) => e.t === 'run' && e.run.status !== 'running').length;
    if (h.damaged > 0 || n !== expected) throw new Error(`${h.path}: History read ${n} runs (${h.damaged} damaged records), not ${expected}`);
    return { runs: n, bytes: statSync(h.path).size };
  } finally {
    h.close();
  }
}
