/**
 * The one-time move of an old history.jsonl into the history database: on
 * the first start that finds one, every entry is replayed into the database
 * in a single transaction (all or nothing: a crash midway leaves the journal
 * to be migrated again on the next start), then the journal is renamed to
 * `history.jsonl.migrated-<time>` and kept as the backup. A lock makes two
 * processes starting together migrate it once.
 */
import { existsSync } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HistoryEntry } from './history';
import { HistoryDb } from './history-db';
import { acquireJobLock, LockHeldError } from './job-lock';
import { scanJournal } from './journal';

export const OLD_JOURNAL = 'history.jsonl';

/** How long a second process waits for another's migration before it gives up. */
const WAIT_MS = 15 * 60_000;

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

/** Migrates `dir/history.jsonl` into the database at `dbPath` when there is one; returns where the backup went. */
export async function importJournal(
  dir: string,
  dbPath: string,
  warn: (message: string) => void,
  replayer: (store: HistoryDb) => (entry: HistoryEntry) => void,
): Promise<string | undefined> {
  const journal = join(dir, OLD_JOURNAL);
  if (!existsSync(journal)) return undefined;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    let lock;
    try {
      lock = await acquireJobLock(join(dir, 'locks'), 'history-import', 'migrating history.jsonl');
    } catch (err) {
      if (!(err instanceof LockHeldError) || Date.now() > deadline) throw err;
      await sleep(200);
      if (!existsSync(journal)) return undefined;
      continue;
    }
    try {
      // Another process may have finished while this one waited.
      if (!existsSync(journal)) return undefined;
      return await migrate(journal, dbPath, warn, replayer);
    } finally {
      await lock.release();
    }
  }
}

async function migrate(
  journal: string,
  dbPath: string,
  warn: (message: string) => void,
  replayer: (store: HistoryDb) => (entry: HistoryEntry) => void,
): Promise<string> {
  const size = (await stat(journal)).size;
  const store = HistoryDb.open(dbPath, warn);
  let scan;
  try {
    // The entries are applied as they are read, inside one transaction.
    const applyTo = replayer(store);
    store.db.exec('BEGIN IMMEDIATE');
    try {
      scan = await scanJournal<HistoryEntry>(journal, (e) => applyTo(e));
      store.db
        .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
        .run('migrated-journal', JSON.stringify({ at: new Date().toISOString(), bytes: size, entries: scan.entries, damaged: scan.damaged }));
      store.db.exec('COMMIT');
    } catch (err) {
      if (store.db.inTransaction) store.db.exec('ROLLBACK');
      throw err;
    }
  } finally {
    store.close();
  }
  const backup = `${journal}.migrated-${stamp()}`;
  await rename(journal, backup);
  if (scan.damaged > 0) {
    warn(`${journal}: ${scan.damaged} damaged line(s) skipped while moving the history into ${dbPath}; the journal as it was is kept at ${backup}`);
  }
  return backup;
}
