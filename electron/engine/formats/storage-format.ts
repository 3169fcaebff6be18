/**
 * A storage format: how a job's data is packed, sent, checked, pruned,
 * listed, browsed and restored. The run, `burrow backups`, `ls`, `verify`,
 * `restore` and `init-destination` ask the job's format (chosen once, when
 * the run context is built) and never test the format's name themselves.
 * Adding a format is one folder with one object of this type and one line
 * in ./index.ts; the compiler names every method it still lacks.
 */
import type { BackupEntryView, BackupRowView, RestoredView, SearchResultView, VerifyResultView } from '../../../shared/api-contract';
import type { FormatName } from '../../../shared/formats';
import type { Listing } from '../destination-marker';
import type { RunContext, StepOutcome } from '../run-context';

/** One day's backup at the destination, as the UI and CLI show it. */
export type StoredRow = BackupRowView;
export type VerifyResult = VerifyResultView;
export type BackupEntry = BackupEntryView;
export type Restored = RestoredView;

/**
 * What listing, verifying and restoring need from the laptop: Burrow's
 * history (checksums recorded when archives were sent, verify results) and
 * a place to keep listings that are costly to make (an archive's `tar -t`).
 */
export interface StoredRecords {
  /** The SHA-256 each archive had when a run last verified it arrived. */
  recordedSums(job: string): Map<string, string>;
  /** The latest `burrow verify` result of each stored backup. */
  verifications(job: string): Map<string, { ok: boolean; problems: string[]; at: string }>;
  recordVerify(job: string, at: string, results: VerifyResult[]): Promise<void>;
  /** Listings kept on the laptop, by job and key; undefined when not kept. */
  cached(job: string, key: string): Promise<string | undefined>;
  keep(job: string, key: string, text: string): Promise<void>;
}

export interface VerifyWhich {
  all?: boolean;
  samplePercent?: number;
  /** Days (YYYY-MM-DD) or archive names. */
  names?: string[];
}

export interface RestoreOptions {
  /** The day (YYYY-MM-DD or YYYYMMDD); for the archive format also one archive's file name (the whole file is restored). */
  backup: string;
  /** Paths inside the day (`projects/sub/file`); none: the whole day. */
  paths?: string[];
  /** Into this laptop directory... */
  toLaptop?: string;
  /** ...or onto the source into this directory, through the tunnel (needs a login the source gate does not guard). */
  toSource?: string;
  /** Write over what is there; otherwise every restored path must not exist yet. */
  inPlace?: boolean;
  /** A whole archive file: also unpack it into a new directory `<dir>/<base>.<stamp>`. */
  extract?: boolean;
}

export interface SearchOptions {
  /** At most this many hits (default 500). */
  limit?: number;
}

/** Something an earlier, interrupted run left behind, and what the clean-up did with it. */
export interface Leftover {
  path: string;
  removed: boolean;
  /** What it is (removed), or why it stays (kept). */
  why: string;
}

export interface StorageFormat {
  readonly name: FormatName;
  /** The pack step: make what the transfer sends (or say why there is nothing to make). */
  pack(ctx: RunContext): Promise<StepOutcome>;
  /** The prune step: retention on the source side. */
  pruneSource(ctx: RunContext): Promise<StepOutcome>;
  /**
   * The guard step, after the destination marker was checked: refuse a
   * transfer that would lose data, and record the plan. Returns the detail.
   */
  guard(ctx: RunContext, destination: Listing): Promise<string>;
  /** The transfer step, with the run's known_hosts on the source. */
  transfer(ctx: RunContext, knownHosts: string): Promise<StepOutcome>;
  /** The verify step: what this run sent, in full, and a rolling sample of the rest. */
  verify(ctx: RunContext, knownHosts: string): Promise<StepOutcome>;
  /** The clean-up step, on the source: what earlier runs of the job left there, removed (never what a process still writes). */
  cleanSource(ctx: RunContext): Promise<Leftover[]>;
  /** The clean-up step, at the destination (only one whose marker is the job's): what earlier runs left there, removed. */
  cleanDestination(ctx: RunContext): Promise<Leftover[]>;
  /** The destination's own retention, after verification. */
  pruneDestination(ctx: RunContext): Promise<StepOutcome>;
  /** How many backups of this job the destination holds (read without creating anything); `listing` is the destination path's. */
  countStored(ctx: RunContext, listing: Listing): Promise<number>;
  /** What setting a destination up creates besides the marker, as `HOST:PATH` words. */
  setUpCreates(ctx: RunContext): string[];
  /** What the destination holds, one row per day, newest first, read with one command. */
  list(ctx: RunContext, records: StoredRecords): Promise<StoredRow[]>;
  /** The entries of one directory (`''`: the top) of one day. */
  browse(ctx: RunContext, records: StoredRecords, backup: string, path: string): Promise<BackupEntry[]>;
  /** Entries whose name contains `query` (any case), in every day. */
  search(ctx: RunContext, records: StoredRecords, query: string, opts?: SearchOptions): Promise<SearchResultView>;
  /** Test-restores stored backups on the destination; the results are recorded. */
  verifyStored(ctx: RunContext, records: StoredRecords, which: VerifyWhich): Promise<VerifyResult[]>;
  /** Brings files, folders or a day back, to the laptop or onto the source; never over existing files unless asked. */
  restore(ctx: RunContext, records: StoredRecords, opts: RestoreOptions): Promise<Restored>;
}
