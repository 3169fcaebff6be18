/**
 * The shape of a backup run, its steps and the events it emits. Browser-safe:
 * the CLI, the desktop shell and the web UI all read these.
 */

export const STEP_NAMES = ['connect', 'clean-up', 'pack', 'prune', 'guard', 'tunnel', 'transfer', 'verify', 'prune-destination', 'teardown'] as const;
export type StepName = (typeof STEP_NAMES)[number];

export type StepStatus = 'pending' | 'running' | 'ok' | 'failed' | 'skipped' | 'cancelled';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';
export type RunTrigger = 'manual' | 'schedule' | 'catch-up';

/** Why something failed, in words a person can act on, and whether a retry may help. */
export type ErrorKind =
  | 'config'
  | 'host-key-missing'
  | 'host-key-mismatch'
  | 'auth'
  | 'unreachable'
  | 'timeout'
  | 'port-in-use'
  | 'forward-refused'
  | 'remote-command'
  | 'rsync'
  | 'verify-mismatch'
  | 'delete-guard'
  | 'destination-marker'
  | 'gate-stale'
  /** The laptop slept (or Burrow stood still) during the run, and its connections did not survive it. */
  | 'slept'
  /** The laptop's network changed during the run (its address or its route to a host went away). */
  | 'network-changed'
  /** Burrow cannot write its own state dir (full, or read-only): the run does not start. */
  | 'state-dir'
  | 'cancelled'
  | 'internal';

export interface RunError {
  kind: ErrorKind;
  message: string;
  /** The step it happened in, when it happened in one. */
  step?: StepName;
}

export interface StepRecord {
  name: StepName;
  status: StepStatus;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  /** Bytes this step moved or produced (archive bytes packed, bytes sent by rsync...). */
  bytes?: number;
  /** One line on what the step did ("packed 2 archives, 1 already there"). */
  detail?: string;
  /** What a person would type to do the same by hand. */
  command?: string;
  error?: RunError;
}

export interface ArchiveInfo {
  name: string;
  size: number;
  sha256?: string;
}

export interface TransferStats {
  bytesSent: number;
  bytesReceived: number;
  totalSize: number;
  /** Files rsync created or updated at the destination. */
  transferred: string[];
  /** Files rsync deleted at the destination. */
  deleted: string[];
}

export interface RunRecord {
  id: string;
  job: string;
  trigger: RunTrigger;
  /** For a scheduled run, the slot (ISO) it ran for. */
  slot?: string;
  status: RunStatus;
  startedAt: string;
  endedAt?: string;
  /** The date the archives are stamped with, YYYYMMDD. */
  stamp: string;
  steps: StepRecord[];
  tunnelPort?: number;
  packed?: ArchiveInfo[];
  pruned?: string[];
  prunedAtDestination?: string[];
  /**
   * What the clean-up step removed that earlier runs left behind, as `HOST:PATH`
   * (a half-written archive, a temporary dir, rsync's delay-updates dir, a half-sent snapshot day).
   */
  cleanedUp?: string[];
  /** Where the run wrote: `HOST:PATH` of the job's destination (a new path is a new destination). */
  destination?: string;
  /** Snapshot format: the day's snapshot directory, the one its unchanged files link to, and whether this run updated a snapshot made earlier that day. */
  snapshot?: { name: string; linkedTo?: string; updated?: boolean };
  transfer?: TransferStats;
  verified?: ArchiveInfo[];
  /** What the verify step checked in full (what this run sent) and by sample (the rest of the store). */
  verification?: RunVerification;
  /** Warnings and notes the run logged, in order. */
  log?: { at: string; level: 'info' | 'warn' | 'error'; message: string }[];
  /** A dry run's plan, or what a real run decided before it acted. */
  plan?: RunPlan;
  dryRun?: boolean;
  error?: RunError;
}

/**
 * The verify step's account: what this run sent is checked in full against
 * checksums taken on the source when it was packed or sent; the rest of the
 * store by a rolling sample, a share each day, so all of it is covered once
 * per cycle (`burrow verify --all` checks everything at once).
 */
export interface RunVerification {
  full: {
    /** "3 archives", "128 files of snapshot 2026-11-27". */
    what: string;
    items: number;
    bytes: number;
    /** Files that changed on the source after rsync sent them (they go with the next run), not counted as failures. */
    changedSince?: number;
  };
  sample: {
    what: string;
    items: number;
    /** How many the sample was drawn from. */
    of: number;
    /** This run's share of the cycle, e.g. "day 5 of 28". */
    cycle: string;
    problems: string[];
  };
}

export interface RunPlan {
  pack: string[];
  pruneSource: string[];
  send: string[];
  deleteAtDestination: string[];
}

export type TunnelState = 'down' | 'requesting' | 'up' | 'failed' | 'closed';

export interface TransferProgress {
  /** Bytes done so far in this transfer (rsync's running total). */
  bytes: number;
  percent: number;
  /** Bytes per second, as rsync reports it. */
  speedBps: number;
  etaSec?: number;
  file?: string;
}

export type RunEvent =
  | { type: 'run-started'; run: RunRecord }
  | { type: 'step'; runId: string; step: StepRecord }
  | { type: 'tunnel'; runId: string; state: TunnelState; port?: number; connections?: number }
  | { type: 'progress'; runId: string; progress: TransferProgress }
  | { type: 'log'; runId: string; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'run-finished'; run: RunRecord }
  | { type: 'delete-guard'; runId: string; job: string; files: string[]; message: string };

/**
 * What lists of runs carry (History, `burrow history`, the scheduler): the
 * record's summary row. The whole record (steps, log, file lists) comes from
 * getRun.
 */
export interface RunSummary extends Pick<RunRecord, 'id' | 'job' | 'trigger' | 'slot' | 'status' | 'startedAt' | 'endedAt' | 'stamp' | 'error'> {
  /** Bytes rsync sent, when the run got that far. */
  bytesSent?: number;
  /** `HOST:PATH` the run wrote to (a run records it; older ones did not). */
  destination?: string;
}

/** A page of runs, newest first; `next` asks for the page after it. */
export interface RunPage {
  runs: RunSummary[];
  next?: string;
}

/** What a run's result filter matches. */
export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const satisfies readonly RunStatus[];

/** One day of runs, for the History chart. */
export interface RunDay {
  /** `YYYY-MM-DD` in the asker's time zone. */
  day: string;
  bytesSent: number;
  /** The longest run that day. */
  longestMs: number;
  runs: number;
}
