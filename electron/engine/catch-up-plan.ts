/**
 * One job's catch-up: when its next attempt is due, and what an attempt's
 * outcome means for the one after, by the failure's retry rule
 * (shared/retry-rules.ts). Pure: the scheduler feeds it the clock's time.
 */
import { retryRuleOf } from '../../shared/retry-rules';
import type { RunRecord } from '../../shared/run-types';

export interface CatchUp {
  attempt: number;
  nextAttemptAt: number;
  /** Give up at the job's next slot: that run will do. */
  deadline: number;
  /** An attempt (probe, wait for a place, run) is under way. */
  inFlight?: boolean;
  /** The last failure was the laptop's own (it slept, its network changed): go as soon as the hosts answer. */
  whenBack?: boolean;
  /** Runs started at once after such a failure, in a row. */
  quick: number;
}

export interface CatchUpTiming {
  /** Backoff: first retry after firstMs, doubling up to maxMs. */
  firstMs: number;
  maxMs: number;
  /** How often a when-back plan asks whether the hosts answer again. */
  whenBackProbeMs: number;
}

export const DEFAULT_TIMING: CatchUpTiming = { firstMs: 60_000, maxMs: 30 * 60_000, whenBackProbeMs: 15_000 };

/** Runs a when-back plan may start one after the other before it backs off like any other (a fault that keeps coming back). */
export const QUICK_RETRIES = 3;

export function newCatchUp(now: number, deadline: number, whenBack = false): CatchUp {
  return { attempt: 0, quick: 0, nextAttemptAt: now, deadline, whenBack };
}

/**
 * After an attempt: `done` (it succeeded), `stop` (a person must act: no
 * more attempts), or `again` with the plan's next attempt set. `record` is
 * undefined when the hosts did not answer and nothing ran.
 */
export function afterAttempt(plan: CatchUp, record: RunRecord | undefined, now: number, timing: CatchUpTiming): 'done' | 'stop' | 'again' {
  if (record?.status === 'succeeded') return 'done';
  const rule = record ? retryRuleOf(record.error) : undefined;
  if (rule === 'never') return 'stop';
  if (rule === 'when-back' && plan.quick < QUICK_RETRIES) {
    // The laptop's own fault: again at once, the probe deciding whether the hosts answer yet.
    Object.assign(plan, { whenBack: true, quick: plan.quick + 1, nextAttemptAt: now });
  } else if (!record && plan.whenBack) {
    plan.nextAttemptAt = now + timing.whenBackProbeMs;
  } else {
    if (record) Object.assign(plan, { whenBack: false, quick: 0 });
    plan.attempt++;
    plan.nextAttemptAt = now + Math.min(timing.maxMs, timing.firstMs * 2 ** (plan.attempt - 1));
  }
  return 'again';
}
