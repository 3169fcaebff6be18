/**
 * The history's database file: SQLite (better-sqlite3) in WAL mode with a
 * full fsync per commit, so a commit is durable when it returns and a crash,
 * a kill -9 or a torn last write loses at most the transaction being written
 * (SQLite discards a WAL frame that fails its checksum, and everything after
 * it). Damage found in the file (SQLite reports it, or a row fails its own
 * CRC-32) is handled here: the file is copied aside as it was before anything
 * else is written, the rows that still read are carried into a new file, and
 * the warning names the copy. A full disk is a clear error that loses nothing
 * already written.
 */
import Database from 'better-sqlite3';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { BurrowError } from '../errors';

type Db = Database.Database;

/** Bumped when the tables change; older files are upgraded in `migrate`. */
const SCHEMA_VERSION = 1;

/**
 * Runs are listed newest first, and runs that started in the same
 * millisecond in the order they were first written (as the journal did).
 * Summary rows are small and indexed; what a run carries beyond its summary
 * (step list, log, file lists, later verify results) lives in run_parts, one
 * row per part, deflated, each with its own CRC.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  job TEXT NOT NULL,
  status TEXT NOT NULL,
  started_ms INTEGER NOT NULL,
  ended_ms INTEGER,
  bytes_sent INTEGER,
  slot TEXT,
  summary TEXT NOT NULL,
  crc INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_time ON runs(started_ms DESC, seq);
CREATE INDEX IF NOT EXISTS runs_by_job ON runs(job, started_ms DESC, seq);
CREATE INDEX IF NOT EXISTS runs_by_job_status ON runs(job, status, started_ms DESC, seq);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs(status, started_ms DESC, seq);
CREATE INDEX IF NOT EXISTS runs_by_slot ON runs(job, slot) WHERE slot IS NOT NULL;
CREATE TABLE IF NOT EXISTS run_parts (
  rowid INTEGER PRIMARY KEY,
  run_seq INTEGER NOT NULL,
  part TEXT NOT NULL,
  body BLOB NOT NULL,
  crc INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS run_parts_by_run ON run_parts(run_seq, part);
CREATE TABLE IF NOT EXISTS missed (
  rowid INTEGER PRIMARY KEY,
  job TEXT NOT NULL,
  slot TEXT NOT NULL,
  cause TEXT NOT NULL,
  detected_at TEXT NOT NULL,
  caught_up_by TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS missed_by_slot ON missed(job, slot);
CREATE INDEX IF NOT EXISTS missed_outstanding ON missed(job, slot) WHERE caught_up_by IS NULL;
CREATE TABLE IF NOT EXISTS pauses (seq INTEGER PRIMARY KEY, paused INTEGER NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS pauses_by_at ON pauses(at);
CREATE TABLE IF NOT EXISTS stale (rowid INTEGER PRIMARY KEY, job TEXT NOT NULL UNIQUE, last_success TEXT, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS checked (rowid INTEGER PRIMARY KEY, job TEXT NOT NULL UNIQUE, until TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS verify_runs (seq INTEGER PRIMARY KEY, job TEXT NOT NULL, at TEXT NOT NULL, results TEXT NOT NULL, crc INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS verify_by_job ON verify_runs(job, at);
CREATE TABLE IF NOT EXISTS verified (
  rowid INTEGER PRIMARY KEY,
  job TEXT NOT NULL,
  name TEXT NOT NULL,
  ok INTEGER NOT NULL,
  problems TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS verified_by_name ON verified(job, name);
CREATE TABLE IF NOT EXISTS archive_sums (rowid INTEGER PRIMARY KEY, job TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL, run_id TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS archive_sums_by_name ON archive_sums(job, name);
`;

/** Every table, in the order a salvage copies them. */
const TABLES = ['meta', 'runs', 'run_parts', 'missed', 'pauses', 'stale', 'checked', 'verify_runs', 'verified', 'archive_sums'] as const;

function sqliteCode(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : '';
}

/** The file is damaged (as opposed to busy, full or misused). */
export function isCorruption(err: unknown): boolean {
  const code = sqliteCode(err);
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}

function isDiskFull(err: unknown): boolean {
  const code = sqliteCode(err);
  return code === 'SQLITE_FULL' || (err as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC' || /SQLITE_IOERR/.test(code);
}

function isReadOnly(err: unknown): boolean {
  const code = sqliteCode(err);
  return (
    code.startsWith('SQLITE_READONLY') ||
    code === 'SQLITE_CANTOPEN' ||
    ['EROFS', 'EACCES', 'EPERM'].includes((err as NodeJS.ErrnoException | undefined)?.code ?? '')
  );
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

function configure(db: Db): void {
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  // FULL: the WAL is fsynced at every commit, as the journal fsynced every line.
  db.pragma('synchronous = FULL');
  // A bounded page cache (2 MiB): memory does not grow with the history.
  db.pragma('cache_size = -2048');
  db.pragma('cell_size_check = ON');
}

function migrate(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new BurrowError('config', `${db.name} was written by a newer Burrow (history schema ${version}, this one knows ${SCHEMA_VERSION}); upgrade Burrow`);
  }
  if (version === SCHEMA_VERSION) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

/** Opens (creating when missing) a history database with its pragmas and tables. */
export function openDatabase(path: string): Db {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Private, as the journal was: the WAL and its index take the database file's mode.
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  const db = new Database(path, { timeout: 10_000 });
  try {
    configure(db);
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** The copy kept aside of a damaged file: the database and its WAL, byte for byte. */
function keepAside(path: string): string {
  const aside = `${path}.damaged-${stamp()}`;
  copyFileSync(path, aside);
  if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${aside}-wal`);
  return aside;
}

/**
 * Copies one table in rowid ranges; a range that does not read (a damaged
 * page in the table's tree) is probed row by row. Returns what it copied and
 * how many rows it could not read.
 */
function salvageTable(from: Db, to: Db, table: string): { copied: number; lost: number } {
  let max = 0;
  try {
    max = (from.prepare(`SELECT max(rowid) AS m FROM ${table}`).get() as { m: number | null }).m ?? 0;
  } catch {
    return { copied: 0, lost: 1 };
  }
  const range = from.prepare(`SELECT rowid AS _rowid_, * FROM ${table} WHERE rowid BETWEEN ? AND ?`);
  const one = from.prepare(`SELECT rowid AS _rowid_, * FROM ${table} WHERE rowid = ?`);
  const STEP = 2000;
  let copied = 0;
  let lost = 0;
  for (let a = 1; a <= max; a += STEP) {
    let rows: Record<string, unknown>[] = [];
    try {
      rows = range.all(a, a + STEP - 1) as Record<string, unknown>[];
    } catch (err) {
      if (!isCorruption(err)) throw err;
      for (let id = a; id < a + STEP && id <= max; id++) {
        try {
          const row = one.get(id) as Record<string, unknown> | undefined;
          if (row) rows.push(row);
        } catch {
          lost++;
        }
      }
    }
    insertRows(to, table, rows);
    copied += rows.length;
  }
  return { copied, lost };
}

function insertRows(to: Db, table: string, rows: Record<string, unknown>[]): void {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!).filter((c) => c !== '_rowid_');
  const insert = to.prepare(`INSERT OR IGNORE INTO ${table} (rowid, ${cols.join(', ')}) VALUES (?${', ?'.repeat(cols.length)})`);
  to.transaction(() => {
    for (const r of rows) insert.run(r._rowid_, ...cols.map((c) => r[c]));
  })();
}

/**
 * The connection and what guards it. `run` carries out one piece of work;
 * when SQLite finds damage while doing it, the file is kept aside and
 * rebuilt from what still reads, and the work is tried once more.
 */
export class HistoryDb {
  db: Db;
  /** Rows lost to damage since this process opened the file (and rows skipped for a failed CRC). */
  damaged = 0;

  private constructor(
    readonly path: string,
    db: Db,
    private readonly warn: (message: string) => void,
  ) {
    this.db = db;
  }

  static open(path: string, warn: (message: string) => void): HistoryDb {
    let db: Db;
    try {
      db = openDatabase(path);
    } catch (err) {
      if (!isCorruption(err)) throw translate(err, path);
      // Not even the header reads: nothing can be salvaged; keep it and start again.
      const aside = keepAside(path);
      for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
      db = openDatabase(path);
      const h = new HistoryDb(path, db, warn);
      h.damaged++;
      warn(`${path}: the history file is damaged beyond reading (${(err as Error).message}); a copy as it was is kept at ${aside}, and a new history starts`);
      return h;
    }
    return new HistoryDb(path, db, warn);
  }

  /** Runs `work`; on damage, repairs the file once and runs it again. A full disk becomes a clear error. */
  run<T>(work: (db: Db) => T): T {
    // Closed (the engine shut down) and asked again: open the file again.
    if (!this.db.open) this.db = openDatabase(this.path);
    try {
      return work(this.db);
    } catch (err) {
      if (!isCorruption(err)) throw translate(err, this.path);
      this.repair((err as Error).message);
      try {
        return work(this.db);
      } catch (again) {
        throw translate(again, this.path);
      }
    }
  }

  /** Writes in one transaction (one fsync), with the same repair as `run`. */
  write<T>(work: (db: Db) => T): T {
    return this.run((db) => db.transaction(() => work(db)).immediate());
  }

  /**
   * Rows whose content failed its CRC: the file is copied aside first, then
   * the rows are removed so the damage is reported once.
   */
  dropDamaged(rows: { table: string; rowid: number }[]): void {
    if (rows.length === 0) return;
    const aside = keepAside(this.path);
    this.write((db) => {
      for (const r of rows) db.prepare(`DELETE FROM ${r.table} WHERE rowid = ?`).run(r.rowid);
    });
    this.damaged += rows.length;
    this.warn(`${this.path}: ${rows.length} damaged record(s) skipped; a copy of the file as it was is kept at ${aside}`);
  }

  /** Keeps the damaged file aside, carries every row that reads into a new file, and swaps it in. */
  private repair(cause: string): void {
    const aside = keepAside(this.path);
    const fresh = `${this.path}.rebuild-${process.pid}`;
    for (const f of [fresh, `${fresh}-wal`, `${fresh}-shm`]) rmSync(f, { force: true });
    const to = new Database(fresh);
    to.pragma('journal_mode = DELETE');
    to.exec(SCHEMA);
    to.pragma(`user_version = ${SCHEMA_VERSION}`);
    let lost = 0;
    let copied = 0;
    for (const table of TABLES) {
      const r = salvageTable(this.db, to, table);
      lost += r.lost;
      copied += r.copied;
    }
    to.close();
    this.db.close();
    // The old WAL belongs to the damaged file: it must not be replayed into the new one.
    rmSync(`${this.path}-wal`, { force: true });
    rmSync(`${this.path}-shm`, { force: true });
    renameSync(fresh, this.path);
    this.db = openDatabase(this.path);
    this.damaged += Math.max(1, lost);
    this.warn(
      `${this.path}: the history file is damaged (${cause}); ${copied} record(s) carried over${lost ? `, ${lost} unreadable` : ''}; a copy of the file as it was is kept at ${aside}`,
    );
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** SQLite's errors in words: a full disk says so and names the file. */
export function translate(err: unknown, path: string): unknown {
  if (err instanceof BurrowError) return err;
  if (isReadOnly(err)) {
    return new BurrowError(
      'state-dir',
      `history: could not write ${path}: it is read-only (${(err as Error).message}); this record was not written, nothing earlier is lost`,
      {
        cause: err,
      },
    );
  }
  if (isDiskFull(err)) {
    return new BurrowError(
      'state-dir',
      `history: could not write ${path}: the disk is full or failing (${(err as Error).message}); this record was not written, nothing earlier is lost`,
      {
        cause: err,
      },
    );
  }
  return err;
}
