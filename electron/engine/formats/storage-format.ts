/**
 * A storage format: how a job's data is packed, sent, checked, pruned,
 * listed and restored. The run, `burrow archives`, `verify` and `restore`
 * ask the job's format (chosen once, when the run context is built) and
 * never test the format's name themselves. Adding a format is one folder
 * with one object of this type and one line in ./index.ts; the compiler
 * names every method it still lacks.
 */
import type { ArchiveRowView, VerifyResultView } from '../../../shared/api-contract';
import type { FormatName } from '../../../shared/formats';
import type { Listing } from '../destination-marker';
import type { RunContext, StepOutcome } from '../run-context';

/** One stored backup (an archive, a snapshot day) at the destination, as the UI and CLI show it. */
export type StoredRow = ArchiveRowView;
export type VerifyResult = VerifyResultView;

/** What listing, verifying and restoring need from Burrow's history. */
export interface StoredRecords {
  /** The SHA-256 each archive had when a run last verified it arrived. */
  recordedSums(job: string): Map<string, string>;
  /** The latest `burrow verify` result of each stored backup. */
  verifications(job: string): Map<string, { ok: boolean; problems: string[]; at: string }>;
  recordVerify(job: string, at: string, results: VerifyResult[]): Promise<void>;
}

export interface VerifyWhich {
  all?: boolean;
  samplePercent?: number;
  names?: string[];
}

export interface RestoreOptions {
  /** The archive's name, or the snapshot's day (YYYY-MM-DD). */
  archive: string;
  /** Download into this laptop directory... */
  toLaptop?: string;
  /** ...or send back onto the source into this directory, through the tunnel. */
  toSource?: string;
  /** Also unpack it: into a new directory `<dir>/<base>.<stamp>`, which must not exist yet. */
  extract?: boolean;
  /** Unpack straight into `<dir>`, over what is there. Only when asked for. */
  inPlace?: boolean;
}

export interface Restored {
  path: string;
  sha256: string;
  /** Where it was unpacked, when it was. */
  extractedTo?: string;
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
  /** The verify step: what arrived is what was sent. */
  verify(ctx: RunContext, knownHosts: string): Promise<StepOutcome>;
  /** The destination's own retention, after verification. */
  pruneDestination(ctx: RunContext): Promise<StepOutcome>;
  /** What the destination holds, newest first. */
  list(ctx: RunContext, records: StoredRecords): Promise<StoredRow[]>;
  /** Test-restores stored backups on the destination; the results are recorded. */
  verifyStored(ctx: RunContext, records: StoredRecords, which: VerifyWhich): Promise<VerifyResult[]>;
  /** Brings one stored backup back, to the laptop or onto the source; never over existing files. */
  restore(ctx: RunContext, records: StoredRecords, opts: RestoreOptions): Promise<Restored>;
}
