/**
 * Everything the engine tells its watchers (tray, window, daemon log, web
 * UI): the events of runs, plus the schedule's own. Browser-safe.
 */
import type { MissedCause, MissedSlot } from './missed-slots';
import type { RunEvent, RunTrigger } from './run-types';

export type EngineEvent =
  | RunEvent
  | { type: 'missed'; job: string; slot: string; cause: MissedCause }
  /** The missed slots of one job found together (at start-up, on resume, at a slot): one notice, not one per slot. */
  | { type: 'missed-found'; job: string; slots: MissedSlot[] }
  | { type: 'caught-up'; job: string; slots: string[]; runId: string }
  | { type: 'stale'; job: string; lastSuccess?: string; ageMs: number }
  | { type: 'schedule'; paused: boolean }
  /** A scheduled run waits for a free place (maxConcurrentRuns, one per source host); `ahead` runs or waits before it. */
  | { type: 'queued'; job: string; trigger: RunTrigger; slot?: string; ahead: number }
  | { type: 'busy'; job: string; holderPid: number; message: string }
  | { type: 'engine-log'; level: 'info' | 'warn' | 'error'; message: string };

export interface JobStatus {
  job: string;
  /** The job's source and destination host names (the window's tunnel diagram names them). */
  source?: string;
  destination?: string;
  schedule: string;
  paused: boolean;
  running: boolean;
  /** Waiting for a free place to run (see maxConcurrentRuns); a slot it waits for is not missed. */
  queued?: QueuedRun;
  /** The latest run; bytesSent when it got as far as sending. */
  lastRun?: { id: string; status: string; endedAt?: string; startedAt: string; bytesSent?: number };
  lastSuccessAt?: string;
  /** Milliseconds since the last success, when there was one. */
  lastSuccessAgeMs?: number;
  nextRunAt: string;
  /** Missed slots not yet caught up by a successful run. */
  outstanding: { slot: string; cause: MissedCause }[];
  stale: boolean;
}

/** A run waiting in the queue. */
export interface QueuedRun {
  since: string;
  trigger: RunTrigger;
  /** The slot it is for (ISO), when scheduled. */
  slot?: string;
  /** Runs started or waiting before it. */
  ahead: number;
}
