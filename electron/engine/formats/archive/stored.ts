/**
 * The archives a job keeps at the destination, one backup per day (a day
 * holds one archive per configured directory): listed with where else they
 * exist, browsed and searched through their `tar -t` listings (kept on the
 * laptop), test-restored on the destination host itself (decompress test,
 * tar listing, SHA-256 against the one recorded at transfer), and restored
 * by file, folder or day (or as whole archive files) to the laptop or onto
 * the source through the reverse tunnel.
 */
import type { BackupEntryView, SearchHitView, SearchResultView } from '../../../../shared/api-contract';
import { parseArchiveName } from '../../../../shared/archive-names';
import { listDir, type Listing } from '../../destination-marker';
import { BurrowError } from '../../errors';
import type { RunContext } from '../../run-context';
import { shScript } from '../../shell-quote';
import type { SshSession } from '../../ssh/ssh-session';
import { connectStep, openDestination } from '../../steps/connect';
import { dayOfStamp, inBucket } from '../days';
import type { BackupEntry, Restored, RestoreOptions, SearchOptions, StoredRecords, StoredRow, VerifyResult, VerifyWhich } from '../storage-format';
import { checkBackupPath, childrenOf, nameMatches, sortHits } from '../tree';
import { archiveEntries, archivesByDay, dayArchives, keptEntries } from './listing';
import { testArchives } from './test-restore';
import { restoreArchivePaths, restoreWholeArchive } from './restore';

export { extractTarget } from './restore';

export const countArchives = async (_ctx: RunContext, listing: Listing) => [...listing.files.keys()].filter((n) => parseArchiveName(n)).length;

type Verified = StoredRow['verified'];
const worst = (states: Verified[]): Verified =>
  states.includes('failed')
    ? 'failed'
    : states.every((s) => s === 'ok')
      ? 'ok'
      : states.every((s) => s === 'ok' || s === 'at transfer')
        ? 'at transfer'
        : 'never';

/** A day's entries, when every archive of it was listed before (kept on the laptop). */
async function keptDay(ctx: RunContext, records: StoredRecords, archives: { name: string; size: number }[]): Promise<BackupEntryView[] | undefined> {
  const all: BackupEntryView[] = [];
  for (const a of archives) {
    const e = await keptEntries(ctx, records, a.name, a.size);
    if (!e) return undefined;
    all.push(...e);
  }
  return all;
}

function changesBetween(before: BackupEntryView[], after: BackupEntryView[]): NonNullable<StoredRow['changes']> {
  const old = new Map(before.filter((e) => e.type !== 'dir').map((e) => [e.path, e]));
  const changes = { added: 0, changed: 0, removed: 0, bytes: 0 };
  for (const e of after) {
    if (e.type === 'dir') continue;
    const b = old.get(e.path);
    if (!b) {
      changes.added++;
      changes.bytes += e.size;
    } else if (b.size !== e.size || b.mtime !== e.mtime) {
      changes.changed++;
      changes.bytes += e.size;
    }
    old.delete(e.path);
  }
  changes.removed = old.size;
  return changes;
}

/** One row per day: its archives, sizes, whether they are still in the source's holding dir, whether verified. */
export async function listArchivesStored(ctx: RunContext, records: StoredRecords): Promise<StoredRow[]> {
  const { job } = ctx;
  const days = archivesByDay(await listDir(await openDestination(ctx), job.destination.path, ctx.signal));
  let atSource: Set<string> | undefined;
  try {
    await connectStep(ctx);
    atSource = new Set((await listDir(ctx.source!, job.holdingDir, ctx.signal)).files.keys());
  } catch {
    atSource = undefined; // the source may be out of reach; the destination is what counts
  }
  const sums = records.recordedSums(job.name);
  const checks = records.verifications(job.name);
  const rows: StoredRow[] = [];
  let previous: BackupEntryView[] | undefined;
  for (const day of [...days.keys()].sort()) {
    const archives = days.get(day)!;
    const states = archives.map((a): Verified => {
      const c = checks.get(a.name);
      return c ? (c.ok ? 'ok' : 'failed') : sums.has(a.name) ? 'at transfer' : 'never';
    });
    const entries = await keptDay(ctx, records, archives);
    const row: StoredRow = {
      name: day,
      stamp: day.replaceAll('-', ''),
      format: 'archive',
      size: archives.reduce((n, a) => n + a.size, 0),
      atDestination: true,
      atSource: atSource ? archives.every((a) => atSource!.has(a.name)) : 'unknown',
      verified: worst(states),
      archives: archives.map((a) => ({ name: a.name, size: a.size, ...(sums.has(a.name) ? { sha256: sums.get(a.name)! } : {}) })),
    };
    if (entries) row.files = entries.filter((e) => e.type === 'file').length;
    if (entries && previous) row.changes = changesBetween(previous, entries);
    previous = entries;
    rows.push(row);
  }
  return rows.reverse();
}

export async function browseArchives(ctx: RunContext, records: StoredRecords, backup: string, path: string): Promise<BackupEntry[]> {
  const { day, archives } = await dayArchives(ctx, backup);
  const dir = path === '' ? '' : checkBackupPath(path);
  const entries: BackupEntryView[] = [];
  for (const a of archives) entries.push(...(await archiveEntries(ctx, records, a.name, a.size)));
  const children = childrenOf(entries, dir);
  if (dir !== '' && children.length === 0 && !entries.some((e) => e.path === dir && e.type === 'dir'))
    throw new BurrowError('config', `${day} holds no directory ${dir}`);
  return children;
}

/** Searches every day's archives (listing each once; later searches read the kept listings). */
export async function searchArchives(ctx: RunContext, records: StoredRecords, query: string, opts: SearchOptions = {}): Promise<SearchResultView> {
  const limit = opts.limit ?? 500;
  const days = archivesByDay(await listDir(await openDestination(ctx), ctx.job.destination.path, ctx.signal));
  const hits: SearchHitView[] = [];
  const notSearched: string[] = [];
  let truncated = false;
  for (const day of [...days.keys()].sort().reverse()) {
    for (const a of days.get(day)!) {
      let entries: BackupEntryView[];
      try {
        entries = await archiveEntries(ctx, records, a.name, a.size);
      } catch (err) {
        notSearched.push(`${a.name}: ${(err as Error).message}`);
        continue;
      }
      for (const e of entries) {
        if (!nameMatches(e.path, query)) continue;
        if (hits.length >= limit) truncated = true;
        else hits.push({ ...e, backup: day });
      }
    }
  }
  return { hits: sortHits(hits), truncated, notSearched };
}

/** `burrow verify`: every archive (--all), the named days or archives, or a share (--sample N%); the results are recorded. */
export async function verifyArchivesStored(ctx: RunContext, records: StoredRecords, which: VerifyWhich): Promise<VerifyResult[]> {
  const { job } = ctx;
  const dest = await openDestination(ctx);
  const listing = await listDir(dest, job.destination.path, ctx.signal);
  const all = [...listing.files.keys()].filter((n) => parseArchiveName(n)).sort();
  let names = all;
  if (which.names) names = all.filter((n) => which.names!.includes(n) || which.names!.includes(dayOfStamp(parseArchiveName(n)!.stamp)));
  else if (!which.all && which.samplePercent !== undefined) {
    const n = Math.max(1, Math.round(100 / which.samplePercent));
    const today = ctx.clock.now().toISOString().slice(0, 10);
    names = all.filter((a) => inBucket(a, today, n));
  }
  const results = await testArchives(dest, job.destination.path, names, records.recordedSums(job.name), ctx.signal);
  if (results.length > 0) await records.recordVerify(job.name, ctx.clock.now().toISOString(), results);
  return results;
}

export async function restoreArchiveStored(ctx: RunContext, records: StoredRecords, opts: RestoreOptions): Promise<Restored> {
  if (parseArchiveName(opts.backup)) return restoreWholeArchive(ctx, records, opts);
  return restoreArchivePaths(ctx, records, opts);
}
