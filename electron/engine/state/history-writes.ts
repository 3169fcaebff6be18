/**
 * How each kind of history entry is written: one upsert or insert per
 * entry, inside the transaction the caller opened (History.addAll, or a
 * journal migration replaying an old history.jsonl). A run's summary row is
 * replaced and its parts rewritten, so the record written at its end
 * replaces the one written at its start.
 */
import type Database from 'better-sqlite3';
import type { RunRecord } from '../../../shared/run-types';
import type { HistoryEntry } from './history';
import { splitRun, summarize, summaryCrc } from './run-parts';

export function applyEntry(stmt: (sql: string) => Database.Statement, e: HistoryEntry): void {
  switch (e.t) {
    case 'run':
      putRun(stmt, e.run);
      break;
    case 'missed':
      stmt(
        `INSERT INTO missed (job, slot, cause, detected_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(job, slot) DO UPDATE SET cause = excluded.cause, detected_at = excluded.detected_at, caught_up_by = NULL`,
      ).run(e.job, e.slot, e.cause, e.detectedAt);
      break;
    case 'caught-up':
      for (const slot of e.slots) stmt('UPDATE missed SET caught_up_by = ? WHERE job = ? AND slot = ?').run(e.runId, e.job, slot);
      break;
    case 'pause':
      stmt('INSERT INTO pauses (paused, at) VALUES (?, ?)').run(e.paused ? 1 : 0, e.at);
      break;
    case 'stale':
      stmt(
        'INSERT INTO stale (job, last_success, at) VALUES (?, ?, ?) ON CONFLICT(job) DO UPDATE SET last_success = excluded.last_success, at = excluded.at',
      ).run(e.job, e.lastSuccess ?? null, e.at);
      break;
    case 'checked':
      stmt('INSERT INTO checked (job, until) VALUES (?, ?) ON CONFLICT(job) DO UPDATE SET until = excluded.until').run(e.job, e.until);
      break;
    case 'verify': {
      const results = JSON.stringify(e.results);
      stmt('INSERT INTO verify_runs (job, at, results, crc) VALUES (?, ?, ?, ?)').run(e.job, e.at, results, summaryCrc(results));
      const put = stmt(
        `INSERT INTO verified (job, name, ok, problems, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(job, name) DO UPDATE SET ok = excluded.ok, problems = excluded.problems, at = excluded.at`,
      );
      for (const r of e.results) put.run(e.job, r.name, r.ok ? 1 : 0, JSON.stringify(r.problems), e.at);
      break;
    }
  }
}

function putRun(stmt: (sql: string) => Database.Statement, run: RunRecord): void {
  const summary = JSON.stringify(summarize(run));
  const endedMs = run.endedAt ? Date.parse(run.endedAt) : null;
  const { seq } = stmt(
    `INSERT INTO runs (id, job, status, started_ms, ended_ms, bytes_sent, slot, summary, crc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET job = excluded.job, status = excluded.status, started_ms = excluded.started_ms, ended_ms = excluded.ended_ms,
       bytes_sent = excluded.bytes_sent, slot = excluded.slot, summary = excluded.summary, crc = excluded.crc
     RETURNING seq`,
  ).get(run.id, run.job, run.status, Date.parse(run.startedAt), endedMs, run.transfer?.bytesSent ?? null, run.slot ?? null, summary, summaryCrc(summary)) as {
    seq: number;
  };
  stmt('DELETE FROM run_parts WHERE run_seq = ?').run(seq);
  const insert = stmt('INSERT INTO run_parts (run_seq, part, body, crc) VALUES (?, ?, ?, ?)');
  for (const p of splitRun(run)) insert.run(seq, p.part, p.body, p.crc);
  const sum = stmt(
    'INSERT INTO archive_sums (job, name, sha256, run_id) VALUES (?, ?, ?, ?) ON CONFLICT(job, name) DO UPDATE SET sha256 = excluded.sha256, run_id = excluded.run_id',
  );
  for (const v of run.verified ?? []) if (v.sha256) sum.run(run.job, v.name, v.sha256, run.id);
}
