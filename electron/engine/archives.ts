/**
 * What is at the destination, whether it is intact, and getting it back:
 * `burrow backups`, `ls`, `verify`, `restore` and `init-destination`, for
 * any storage format (the job's format does the work; see formats/).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SearchResultView } from '../../shared/api-contract';
import type { BurrowConfig, JobConfig } from '../../shared/config-schema';
import { writeFileAtomic } from './atomic-file';
import { createRunContext, newRunRecord } from './backup-run';
import { setUpDestination, type SetUpReport } from './destination-marker';
import type { BackupEntry, Restored, RestoreOptions, StoredRecords, StoredRow, VerifyResult, VerifyWhich } from './formats/storage-format';
import type { RunContext } from './run-context';
import type { AgentProvider } from './ssh/auth';
import { openDestination } from './steps/connect';
import { teardownStep } from './steps/teardown';
import type { History } from './state/history';

export type { BackupEntry, Restored, RestoreOptions } from './formats/storage-format';
export type { SetUpReport } from './destination-marker';
export { extractTarget } from './formats/archive/stored';

/** What these commands need: the config, Burrow's history, the state dir (for kept listings) and who signs. */
export interface BackupsAccess {
  config: BurrowConfig;
  history: History;
  stateDir: string;
  agents?: AgentProvider;
}

/** The checksum each archive had when a run last verified it arrived. */
export function recordedSums(history: History, job: string): Map<string, string> {
  return history.recordedSums(job);
}

const safeKey = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/** History and the kept listings, as the formats read and record them. */
export function storedRecords(history: History, stateDir: string): StoredRecords {
  const file = (job: string, key: string) => join(stateDir, 'listings', safeKey(job), safeKey(key));
  return {
    recordedSums: (job) => recordedSums(history, job),
    verifications: (job) => history.verifications(job),
    recordVerify: (job, at, results) => history.add({ t: 'verify', job, at, results }),
    cached: async (job, key) => readFile(file(job, key), 'utf8').catch(() => undefined),
    keep: async (job, key, text) => {
      await mkdir(join(stateDir, 'listings', safeKey(job)), { recursive: true });
      await writeFileAtomic(file(job, key), text);
    },
  };
}

async function withContext<T>(access: BackupsAccess, job: JobConfig, fn: (ctx: RunContext, records: StoredRecords) => Promise<T>): Promise<T> {
  const { config, agents } = access;
  const ctx = createRunContext({ config, job, ...(agents ? { agents } : {}) }, job, newRunRecord(job, 'manual', new Date()), () => {});
  try {
    return await fn(ctx, storedRecords(access.history, access.stateDir));
  } finally {
    await teardownStep(ctx);
  }
}

/** The backups at the destination, one row per day, newest first. */
export function listBackups(access: BackupsAccess, job: JobConfig): Promise<StoredRow[]> {
  return withContext(access, job, (ctx, records) => ctx.format.list(ctx, records));
}

/** One directory of one day's backup. */
export function browseBackup(access: BackupsAccess, job: JobConfig, backup: string, path: string): Promise<BackupEntry[]> {
  return withContext(access, job, (ctx, records) => ctx.format.browse(ctx, records, backup, path));
}

/** Entries whose name contains `query`, in every day. */
export function searchBackups(access: BackupsAccess, job: JobConfig, query: string, limit?: number): Promise<SearchResultView> {
  return withContext(access, job, (ctx, records) => ctx.format.search(ctx, records, query, limit ? { limit } : {}));
}

/** Test-restores stored backups on the destination and records the results in history. */
export function verifyBackups(access: BackupsAccess, job: JobConfig, which: VerifyWhich = {}): Promise<VerifyResult[]> {
  return withContext(access, job, (ctx, records) => ctx.format.verifyStored(ctx, records, which));
}

/** Restores files, folders or a day; never over existing files unless asked. */
export function restoreBackup(access: BackupsAccess, job: JobConfig, opts: RestoreOptions): Promise<Restored> {
  return withContext(access, job, (ctx, records) => ctx.format.restore(ctx, records, opts));
}

/** Sets the job's destination up (or, with `preview`, says what that would create). */
export function initDestination(access: BackupsAccess, job: JobConfig, preview: boolean): Promise<SetUpReport> {
  return withContext(access, job, async (ctx) => {
    await openDestination(ctx);
    return setUpDestination(ctx, preview);
  });
}
