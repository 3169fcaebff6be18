/**
 * The shape of a backup run, its steps and the events it emits. Browser-safe:
 * the CLI, the desktop shell and the web UI all read these.
 */

export const STEP_NAMES = ['connect', 'pack', 'prune', 'guard', 'tunnel', 'transfer', 'verify', 'prune-destination', 'teardown'] as const;
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
  /** Snapshot format: the day's snapshot directory, and the one its unchanged files link to. */
  snapshot?: { name: string; linkedTo?: string };
  transfer?: TransferStats;
  verified?: ArchiveInfo[];
  /** Warnings and notes the run logged, in order. */
  log?: { at: string; level: 'info' | 'warn' | 'error'; message: string }[];
  /** A dry run's plan, or what a real run decided before it acted. */
  plan?: RunPlan;
  dryRun?: boolean;
  error?: RunError;
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
