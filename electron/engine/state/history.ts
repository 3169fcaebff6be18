/**
 * Burrow's durable memory: every run (at its start and at its end), every
 * missed slot with its cause, which run caught it up, schedule pauses, stale
 * warnings and `burrow verify` results. Kept in an indexed database
 * (history-db.ts), so what the status, the schedule and the History page ask
 * costs the same after ten years as after a day: per job, the last run, the
 * last success and the slots not yet caught up are a few index lookups
 * (cached until something writes), and lists of runs are read a page at a
 * time. Nothing here holds more than a page of runs in memory.
 */
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { MissedCause } from '../../../shared/missed-slots';
import type { RunDay, RunPage, RunRecord, RunStatus, RunSummary } from '../../../shared/run-types';
import { BurrowError } from '../errors';
import { HistoryDb } from './history-db';
import { importJournal } from './journal-import';
import { applyEntry } from './history-writes';
import { decodePart, joinRun, summaryCrc } from './run-parts';

export interface MissedEntry {
  t: 'missed';
  job: string;
  slot: string;
  cause: MissedCause;
  detectedAt: string;
}

export type HistoryEntry =
  | { t: 'run'; run: RunRecord }
  | MissedEntry
  | { t: 'caught-up'; job: string; slots: string[]; runId: string; at: string }
  | { t: 'pause'; paused: boolean; at: string }
  | { t: 'stale'; job: string; lastSuccess?: string; at: string }
  | { t: 'checked'; job: string; until: string }
  | VerifyEntry;

export interface VerifyEntry {
  t: 'verify';
  job: string;
  at: string;
  results: { name: string; ok: boolean; problems: string[] }[];
}

export interface MissedSlotView extends MissedEntry {
  caughtUpBy?: string;
}

export interface RunFilter {
  job?: string;
  status?: RunStatus;
  /** Runs that started at or after this moment. */
  from?: Date;
  /** Runs that started at or before this moment. */
  to?: Date;
  limit?: number;
  /** A page's `next`: the runs after it. */
  before?: string;
}

/** What the status of one job needs from history; cached until something writes. */
export interface JobHistory {
  lastRun?: RunSummary;
  lastSuccess?: RunSummary;
  outstanding: MissedSlotView[];
}

/** The database file in a state dir; an old history.jsonl beside it is migrated into it once. */
export const HISTORY_FILE = 'history.db';

interface RunRow {
  seq: number;
  started_ms: number;
  summary: string;
  crc: number;
}

interface MissedRow {
  job: string;
  slot: string;
  cause: MissedCause;
  detected_at: string;
  caught_up_by: string | null;
}

function missedView(r: MissedRow): MissedSlotView {
  return { t: 'missed', job: r.job, slot: r.slot, cause: r.cause, detectedAt: r.detected_at, ...(r.caught_up_by ? { caughtUpBy: r.caught_up_by } : {}) };
}

const CURSOR = /^(-?\d{1,16})\.(\d{1,16})$/;

export class History {
  private readonly jobs = new Map<string, JobHistory>();
  private pausedNow?: boolean;
  private dataVersion = -1;
  private statements = new Map<string, Database.Statement>();
  private statementsOf?: Database.Database;

  private constructor(private readonly store: HistoryDb) {}

  /**
   * Opens the history of a state dir (creating it), after migrating an old
   * history.jsonl found there. `warn` hears about damage found and kept aside.
   */
  static async open(dir: string, warn: (message: string) => void = () => {}): Promise<History> {
    const path = join(dir, HISTORY_FILE);
    await importJournal(dir, path, warn, (store) => {
      const h = new History(store);
      return (e) => h.apply(e);
    });
    return new History(HistoryDb.open(path, warn));
  }

  get path(): string {
    return this.store.path;
  }

  /** Records lost to damage (or skipped for a failed CRC) since this process opened the history. */
  get damaged(): number {
    return this.store.damaged;
  }

  close(): void {
    this.store.close();
  }

  private stmt(sql: string): Database.Statement {
    if (this.statementsOf !== this.store.db) {
      this.statements = new Map();
      this.statementsOf = this.store.db;
    }
    let s = this.statements.get(sql);
    if (!s) {
      s = this.store.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Forgets cached answers when another process (or connection) wrote since. */
  private fresh(): void {
    const v = this.store.run((db) => db.pragma('data_version', { simple: true }) as number);
    if (v !== this.dataVersion) {
      this.dataVersion = v;
      this.jobs.clear();
      this.pausedNow = undefined;
    }
  }

  private forget(e: HistoryEntry): void {
    if (e.t === 'pause') this.pausedNow = undefined;
    else if (e.t === 'run') this.jobs.delete(e.run.job);
    else if ('job' in e) this.jobs.delete(e.job);
  }

  /** Writes one entry durably (one transaction, one fsync). */
  async add(e: HistoryEntry): Promise<void> {
    await this.addAll([e]);
  }

  /** Writes several entries in one transaction: all of them or none. */
  async addAll(entries: HistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.store.write(() => {
      for (const e of entries) this.apply(e);
    });
    for (const e of entries) this.forget(e);
  }

  recordRun(run: RunRecord): Promise<void> {
    return this.add({ t: 'run', run });
  }

  /** One entry into the open transaction (also what a journal migration replays). */
  apply(e: HistoryEntry): void {
    applyEntry((sql) => this.stmt(sql), e);
  }

  /** Summary rows that pass their CRC; the others are dropped (after the file is kept aside) and counted. */
  private summaries(rows: RunRow[]): RunSummary[] {
    const out: RunSummary[] = [];
    const bad: { table: string; rowid: number }[] = [];
    for (const r of rows) {
      if (summaryCrc(r.summary) !== r.crc) bad.push({ table: 'runs', rowid: r.seq });
      else out.push(JSON.parse(r.summary) as RunSummary);
    }
    if (bad.length) {
      this.store.dropDamaged(bad);
      this.jobs.clear();
    }
    return out;
  }

  private runRows(filter: RunFilter, limit: number): RunRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const and = (clause: string, ...values: (string | number)[]) => {
      where.push(clause);
      args.push(...values);
    };
    if (filter.job !== undefined) and('job = ?', filter.job);
    if (filter.status !== undefined) and('status = ?', filter.status);
    if (filter.from) and('started_ms >= ?', filter.from.getTime());
    if (filter.to) and('started_ms <= ?', filter.to.getTime());
    if (filter.before !== undefined) {
      const m = CURSOR.exec(filter.before);
      if (!m) throw new BurrowError('config', `not a page cursor: "${filter.before.slice(0, 40)}"`);
      and('(started_ms < ? OR (started_ms = ? AND seq > ?))', Number(m[1]), Number(m[1]), Number(m[2]));
    }
    const sql = `SELECT seq, started_ms, summary, crc FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_ms DESC, seq ASC LIMIT ?`;
    return this.store.run(() => this.stmt(sql).all(...args, limit) as RunRow[]);
  }

  /** Runs, newest first (all that match, unless `limit`). */
  listRuns(filter: RunFilter = {}): RunSummary[] {
    return this.summaries(this.runRows(filter, filter.limit ?? -1));
  }

  /** One page of runs, newest first, and the cursor of the next page when there is one. */
  pageRuns(filter: RunFilter & { limit: number }): RunPage {
    const rows = this.runRows(filter, filter.limit + 1);
    const more = rows.length > filter.limit;
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return { runs: this.summaries(page), ...(more && last ? { next: `${last.started_ms}.${last.seq}` } : {}) };
  }

  /** Runs per day since `from` (bytes sent, longest run), in the asker's time zone (minutes east of UTC). */
  runDays(opts: { from: Date; job?: string; tzOffsetMinutes: number }): RunDay[] {
    const shift = opts.tzOffsetMinutes * 60_000;
    const rows = this.store.run(() =>
      this.stmt(
        `SELECT CAST((started_ms + ?) / 86400000 AS INTEGER) AS d, sum(coalesce(bytes_sent, 0)) AS bytes, max(coalesce(ended_ms - started_ms, 0)) AS longest, count(*) AS n
         FROM runs WHERE started_ms >= ? ${opts.job !== undefined ? 'AND job = ?' : ''} GROUP BY d ORDER BY d`,
      ).all(shift, opts.from.getTime(), ...(opts.job !== undefined ? [opts.job] : [])),
    ) as { d: number; bytes: number; longest: number; n: number }[];
    return rows.map((r) => ({ day: new Date(r.d * 86_400_000).toISOString().slice(0, 10), bytesSent: r.bytes, longestMs: r.longest, runs: r.n }));
  }

  /** A whole run record, put back together from its parts. */
  getRun(id: string): RunRecord | undefined {
    const row = this.store.run(() => this.stmt('SELECT seq, started_ms, summary, crc FROM runs WHERE id = ?').get(id) as RunRow | undefined);
    if (!row) return undefined;
    const [summary] = this.summaries([row]);
    if (!summary) return undefined;
    const parts = this.store.run(
      () =>
        this.stmt('SELECT rowid, part, body, crc FROM run_parts WHERE run_seq = ?').all(row.seq) as {
          rowid: number;
          part: string;
          body: Buffer;
          crc: number;
        }[],
    );
    const values = new Map<string, unknown>();
    const bad: { table: string; rowid: number }[] = [];
    for (const p of parts) {
      const d = decodePart(p.body, p.crc);
      if (d.ok) values.set(p.part, d.value);
      else bad.push({ table: 'run_parts', rowid: p.rowid });
    }
    if (bad.length) this.store.dropDamaged(bad);
    const record = joinRun(values);
    if (record) return record;
    // Its detail is lost (damaged): the summary still says what happened.
    return { ...summary, steps: [], log: [{ at: summary.startedAt, level: 'warn', message: "this run's detail was damaged and is lost" }] };
  }

  /** Per job: last run, last success, slots not caught up. A few index lookups, cached until the history changes. */
  job(job: string): JobHistory {
    this.fresh();
    const cached = this.jobs.get(job);
    if (cached) return cached;
    const newest = (status?: RunStatus) =>
      this.summaries(
        this.store.run(() =>
          status
            ? (this.stmt('SELECT seq, started_ms, summary, crc FROM runs WHERE job = ? AND status = ? ORDER BY started_ms DESC, seq ASC LIMIT 1').all(
                job,
                status,
              ) as RunRow[])
            : (this.stmt('SELECT seq, started_ms, summary, crc FROM runs WHERE job = ? ORDER BY started_ms DESC, seq ASC LIMIT 1').all(job) as RunRow[]),
        ),
      )[0];
    const lastRun = newest();
    const lastSuccess = newest('succeeded');
    const outstanding = this.store
      .run(() => this.stmt('SELECT * FROM missed WHERE job = ? AND caught_up_by IS NULL ORDER BY slot').all(job) as MissedRow[])
      .map(missedView);
    const view: JobHistory = { outstanding, ...(lastRun ? { lastRun } : {}), ...(lastSuccess ? { lastSuccess } : {}) };
    this.jobs.set(job, view);
    return view;
  }

  lastSuccess(job: string): RunSummary | undefined {
    return this.job(job).lastSuccess;
  }

  outstanding(job: string): MissedSlotView[] {
    return this.job(job).outstanding;
  }

  /** A run was recorded for this slot of the job. */
  hasRunForSlot(job: string, slot: string): boolean {
    return this.store.run(() => this.stmt('SELECT 1 FROM runs WHERE job = ? AND slot = ? LIMIT 1').get(job, slot)) !== undefined;
  }

  /** A job's runs that started at or after `from`, oldest first. */
  runsSince(job: string, from: Date): RunSummary[] {
    const rows = this.store.run(
      () =>
        this.stmt('SELECT seq, started_ms, summary, crc FROM runs WHERE job = ? AND started_ms >= ? ORDER BY started_ms, seq').all(
          job,
          from.getTime(),
        ) as RunRow[],
    );
    return this.summaries(rows);
  }

  /** Missed slots (of one job, or all), oldest first; `from`/`to` (ISO) bound the slots. */
  missedSlots(job?: string, range: { from?: string; to?: string } = {}): MissedSlotView[] {
    // Only the conditions given, so SQLite walks the (job, slot) index instead of the whole table.
    const where = Object.entries({ 'job = ?': job, 'slot >= ?': range.from, 'slot <= ?': range.to }).filter(([, v]) => v !== undefined);
    const sql = `SELECT * FROM missed ${where.length ? `WHERE ${where.map(([c]) => c).join(' AND ')}` : ''} ORDER BY slot, job`;
    const rows = this.store.run(() => this.stmt(sql).all(...where.map(([, v]) => v)) as MissedRow[]);
    return rows.map(missedView);
  }

  /** This slot of the job was already reported missed. */
  hasMissed(job: string, slot: string): boolean {
    return this.store.run(() => this.stmt('SELECT 1 FROM missed WHERE job = ? AND slot = ?').get(job, slot)) !== undefined;
  }

  /**
   * Pause intervals in ms, for missed-slot classification: those that reach
   * `since` or later (from the last pause toggle before it), or all of them.
   */
  pauseIntervals(since?: Date): { from: number; to?: number }[] {
    const rows = this.store.run(() =>
      since === undefined
        ? this.stmt('SELECT paused, at FROM pauses ORDER BY seq').all()
        : this.stmt(
            'SELECT paused, at FROM pauses WHERE seq >= coalesce((SELECT seq FROM pauses WHERE at < ? ORDER BY at DESC, seq DESC LIMIT 1), 0) ORDER BY seq',
          ).all(since.toISOString()),
    ) as { paused: number; at: string }[];
    const out: { from: number; to?: number }[] = [];
    for (const p of rows) {
      const last = out[out.length - 1];
      if (p.paused === 1 && (!last || last.to !== undefined)) out.push({ from: Date.parse(p.at) });
      if (p.paused !== 1 && last && last.to === undefined) last.to = Date.parse(p.at);
    }
    return out;
  }

  /** The schedule is paused now (the last toggle); cached until the history changes. */
  isPaused(): boolean {
    this.fresh();
    this.pausedNow ??=
      (this.store.run(() => this.stmt('SELECT paused FROM pauses ORDER BY seq DESC LIMIT 1').get()) as { paused: number } | undefined)?.paused === 1;
    return this.pausedNow;
  }

  lastStale(job: string): { t: 'stale'; job: string; lastSuccess?: string; at: string } | undefined {
    const r = this.store.run(() => this.stmt('SELECT job, last_success, at FROM stale WHERE job = ?').get(job)) as
      { job: string; last_success: string | null; at: string } | undefined;
    return r ? { t: 'stale', job: r.job, at: r.at, ...(r.last_success ? { lastSuccess: r.last_success } : {}) } : undefined;
  }

  /** `burrow verify` runs, newest first. */
  verifyRuns(job?: string, limit = -1): VerifyEntry[] {
    const rows = this.store.run(
      () =>
        (job === undefined
          ? this.stmt('SELECT seq, job, at, results, crc FROM verify_runs ORDER BY at DESC, seq ASC LIMIT ?').all(limit)
          : this.stmt('SELECT seq, job, at, results, crc FROM verify_runs WHERE job = ? ORDER BY at DESC, seq ASC LIMIT ?').all(job, limit)) as {
          seq: number;
          job: string;
          at: string;
          results: string;
          crc: number;
        }[],
    );
    const bad = rows.filter((r) => summaryCrc(r.results) !== r.crc);
    if (bad.length) this.store.dropDamaged(bad.map((r) => ({ table: 'verify_runs', rowid: r.seq })));
    return rows.filter((r) => !bad.includes(r)).map((r) => ({ t: 'verify', job: r.job, at: r.at, results: JSON.parse(r.results) as VerifyEntry['results'] }));
  }

  /** The latest verify result of each archive of a job. */
  verifications(job: string): Map<string, { ok: boolean; problems: string[]; at: string }> {
    const rows = this.store.run(() => this.stmt('SELECT name, ok, problems, at FROM verified WHERE job = ?').all(job)) as {
      name: string;
      ok: number;
      problems: string;
      at: string;
    }[];
    return new Map(rows.map((r) => [r.name, { ok: r.ok === 1, problems: JSON.parse(r.problems) as string[], at: r.at }]));
  }

  /** SHA-256 of each archive of a job as recorded when it was sent (the latest run that verified it). */
  recordedSums(job: string): Map<string, string> {
    const rows = this.store.run(() => this.stmt('SELECT name, sha256 FROM archive_sums WHERE job = ?').all(job)) as { name: string; sha256: string }[];
    return new Map(rows.map((r) => [r.name, r.sha256]));
  }

  checkedUntil(job: string): string | undefined {
    const r = this.store.run(() => this.stmt('SELECT until FROM checked WHERE job = ?').get(job)) as { until: string } | undefined;
    return r?.until;
  }
}
