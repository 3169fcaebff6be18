/**
 * Which scheduled slots passed without a backup, and why. Pure: the engine
 * feeds it the schedule, the runs it made, the spans of time it was alive
 * (from its heartbeat) and the spans the schedule was paused.
 */
import { CronExpressionParser } from 'cron-parser';

/**
 * Why a slot has no backup. `deferred-*`: the job's laptop rules held the run
 * back (onBattery, minBatteryPercent, onMetered); it is caught up once the
 * condition clears, before the next slot. `queued`: the run still waited for a
 * free place (maxConcurrentRuns, one per source host) when its next slot came.
 */
export type MissedCause = 'laptop-off' | 'asleep' | 'failed' | 'skipped' | 'queued' | 'deferred-battery' | 'deferred-low-battery' | 'deferred-metered';

/** A stretch of time the engine was running and beating, as one process saw it. */
export interface AliveSpan {
  /** One id per process start; a wake from sleep starts a new span with the same instance. */
  instance: string;
  from: number;
  to: number;
}

export interface Interval {
  from: number;
  /** Undefined while still open. */
  to?: number;
}

/** What slot classification needs of a run. */
export interface SlotRun {
  /** The slot a scheduled run was for, ISO; absent for manual runs. */
  slot?: string;
  startedAt: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
}

export interface MissedSlot {
  slot: string;
  cause: MissedCause;
}

/** How long after a slot a run still counts as that slot's run. */
export const SLOT_GRACE_MS = 30 * 60_000;

/** Slots of a cron expression in (from, to], oldest first. */
export function slotsBetween(schedule: string, from: Date, to: Date, tz?: string): Date[] {
  const out: Date[] = [];
  const it = CronExpressionParser.parse(schedule, { currentDate: from, endDate: to, ...(tz ? { tz } : {}) });
  while (it.hasNext()) {
    const d = it.next().toDate();
    if (d.getTime() > to.getTime()) break;
    out.push(d);
    if (out.length > 10_000) break;
  }
  return out;
}

/** The next slot strictly after `after`. */
export function nextSlot(schedule: string, after: Date, tz?: string): Date {
  return CronExpressionParser.parse(schedule, { currentDate: after, ...(tz ? { tz } : {}) })
    .next()
    .toDate();
}

/** The latest slot at or before `at`. */
export function previousSlot(schedule: string, at: Date, tz?: string): Date {
  return CronExpressionParser.parse(schedule, { currentDate: new Date(at.getTime() + 1), ...(tz ? { tz } : {}) })
    .prev()
    .toDate();
}

const within = (t: number, i: Interval) => t >= i.from && (i.to === undefined || t <= i.to);

/**
 * Classifies one slot that has no successful run:
 * - skipped: the schedule was paused at the slot;
 * - failed: a run for it started and failed (or was cancelled);
 * - asleep: the process was alive before and after, but its clock jumped over the slot;
 * - laptop-off: no heartbeat across the slot.
 */
export function classifySlot(slot: number, runs: SlotRun[], spans: AliveSpan[], pauses: Interval[]): MissedCause {
  if (pauses.some((p) => within(slot, p))) return 'skipped';
  if (runs.length > 0) return 'failed';
  const sorted = [...spans].sort((a, b) => a.from - b.from);
  const before = sorted.filter((s) => s.to < slot).pop();
  const after = sorted.find((s) => s.from > slot);
  if (before && after && before.instance === after.instance) return 'asleep';
  return 'laptop-off';
}

export interface FindMissedInput {
  schedule: string;
  /** Look at slots after this moment (the last check, or when the job was first seen). */
  from: Date;
  to: Date;
  runs: SlotRun[];
  spans: AliveSpan[];
  pauses: Interval[];
  /** Slots already reported (ISO), so a restart never reports them again. */
  reported: ReadonlySet<string>;
  /** A run under way now covers the latest slot. */
  running?: boolean;
  /** Slots (ISO) whose run waits in the queue: not missed while they wait. */
  pending?: ReadonlySet<string>;
}

/** Every slot in (from, to] with no successful run, not yet reported, with its cause. */
export function findMissedSlots(input: FindMissedInput): MissedSlot[] {
  const out: MissedSlot[] = [];
  const slots = slotsBetween(input.schedule, input.from, input.to);
  slots.forEach((slot, i) => {
    const iso = slot.toISOString();
    if (input.reported.has(iso) || input.pending?.has(iso)) return;
    const t = slot.getTime();
    const forSlot = input.runs.filter((r) => r.slot === iso || (r.slot === undefined && within(Date.parse(r.startedAt), { from: t, to: t + SLOT_GRACE_MS })));
    if (forSlot.some((r) => r.status === 'succeeded')) return;
    if (forSlot.some((r) => r.status === 'running') || (input.running && i === slots.length - 1)) return;
    out.push({ slot: iso, cause: classifySlot(t, forSlot, input.spans, input.pauses) });
  });
  return out;
}
