/**
 * What is at the destination, whether it is intact, and getting it back:
 * `burrow archives`, `burrow verify` and `burrow restore`, for any storage
 * format (the job's format does the work; see formats/).
 */
import type { BurrowConfig, JobConfig } from '../../shared/config-schema';
import { createRunContext, newRunRecord } from './backup-run';
import type { Restored, RestoreOptions, StoredRecords, StoredRow, VerifyResult, VerifyWhich } from './formats/storage-format';
import type { RunContext } from './run-context';
import type { AgentProvider } from './ssh/auth';
import { teardownStep } from './steps/teardown';
import type { History } from './state/history';

export type { Restored, RestoreOptions } from './formats/storage-format';
export type ArchiveRow = StoredRow;
export { extractTarget } from './formats/archive/stored';

/** The checksum each archive had when a run last verified it arrived. */
export function recordedSums(history: History, job: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const run of [...history.listRuns({ job })].reverse()) for (const v of run.verified ?? []) if (v.sha256) out.set(v.name, v.sha256);
  return out;
}

/** History as the formats read and record it. */
export function storedRecords(history: History): StoredRecords {
  return {
    recordedSums: (job) => recordedSums(history, job),
    verifications: (job) => history.verifications(job),
    recordVerify: (job, at, results) => history.add({ t: 'verify', job, at, results }),
  };
}

/** `agents`: which agent signs for these connections (the key store's, in the app and CLI). */
async function withContext<T>(config: BurrowConfig, job: JobConfig, fn: (ctx: RunContext) => Promise<T>, agents?: AgentProvider): Promise<T> {
  const ctx = createRunContext({ config, job, ...(agents ? { agents } : {}) }, job, newRunRecord(job, 'manual', new Date()), () => {});
  try {
    return await fn(ctx);
  } finally {
    await teardownStep(ctx);
  }
}

export function listArchives(config: BurrowConfig, job: JobConfig, history: History, agents?: AgentProvider): Promise<ArchiveRow[]> {
  return withContext(config, job, (ctx) => ctx.format.list(ctx, storedRecords(history)), agents);
}

/** Test-restores stored backups on the destination and records the results in history. */
export function verifyArchives(
  config: BurrowConfig,
  job: JobConfig,
  history: History,
  which: VerifyWhich = {},
  agents?: AgentProvider,
): Promise<VerifyResult[]> {
  return withContext(config, job, (ctx) => ctx.format.verifyStored(ctx, storedRecords(history), which), agents);
}

/** Restores one stored backup; returns where it landed. Never overwrites an existing file. */
export function restoreArchive(config: BurrowConfig, job: JobConfig, history: History, opts: RestoreOptions, agents?: AgentProvider): Promise<Restored> {
  return withContext(config, job, (ctx) => ctx.format.restore(ctx, storedRecords(history), opts), agents);
}
