/**
 * What a failure's cause means for the catch-up (shared/retry-rules.ts),
 * replayed with an injected clock against a real history store and
 * heartbeat: only the backup itself is replaced by a run that fails or
 * succeeds as told, and the probe by an answer the test sets.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SleepWatch } from '../../electron/engine/sleep-watch';
import { afterAttempt, newCatchUp, QUICK_RETRIES } from '../../electron/engine/catch-up-plan';
import { BurrowError } from '../../electron/engine/errors';
import { Heartbeat } from '../../electron/engine/state/heartbeat';
import { History } from '../../electron/engine/state/history';
import { Scheduler } from '../../electron/engine/scheduler';
import { ManualClock } from '../../shared/clock';
import { validateConfig } from '../../shared/config-schema';
import type { EngineEvent } from '../../shared/engine-events';
import { RETRY_RULE } from '../../shared/retry-rules';
import type { ErrorKind, RunRecord, RunTrigger } from '../../shared/run-types';

const config = (() => {
  const r = validateConfig({
    hosts: { src: { hostname: '10.9.0.1', user: 'backup' }, dest: { hostname: '10.9.0.2', user: 'backup' } },
    jobs: [{ name: 'cvs', source: 'src', paths: ['/srv/cvs'], holdingDir: '/var/BACKUPS', destination: { host: 'dest', path: '/backups' } }],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
})();
const job = config.jobs[0]!;
const SLOT = new Date('2026-11-26T12:30:00.000Z');
const MIN = 60_000;

/**
 * A scheduler whose runs end as `outcomes` say, in order (a kind: failed
 * with it; undefined: succeeded), and whose probe answers `answers.now`.
 */
async function harness(outcomes: (ErrorKind | undefined)[]) {
  const dir = mkdtempSync(join(tmpdir(), 'burrow-retry-'));
  const clock = new ManualClock(SLOT);
  const history = await History.open(dir);
  const heartbeat = await Heartbeat.open(join(dir, 'heartbeat.json'), clock);
  const answers = { now: true, probes: 0 };
  const started: { trigger: RunTrigger; at: number }[] = [];
  const events: EngineEvent[] = [];
  const scheduler = new Scheduler({
    config,
    history,
    heartbeat,
    clock,
    backoff: { firstMs: MIN, maxMs: 8 * MIN, whenBackProbeMs: 15_000 },
    probe: async () => {
      answers.probes++;
      return answers.now;
    },
    runJob: async (_job, trigger, slot) => {
      started.push({ trigger, at: clock.now().getTime() - SLOT.getTime() });
      const kind = outcomes.shift();
      const record: RunRecord = {
        id: `run-${started.length}`,
        job: job.name,
        trigger,
        status: kind ? 'failed' : 'succeeded',
        startedAt: clock.now().toISOString(),
        endedAt: clock.now().toISOString(),
        stamp: '20261126',
        steps: [],
        ...(slot ? { slot } : {}),
        ...(kind ? { error: { kind, message: `failed: ${kind}` } } : {}),
      };
      await history.recordRun(record);
      if (!kind) {
        const slots = history.outstanding(job.name).map((m) => m.slot);
        if (slots.length) await history.add({ t: 'caught-up', job: job.name, slots, runId: record.id, at: record.startedAt });
      }
      return record;
    },
  });
  scheduler.on('event', (e) => events.push(e));
  /** Moves the clock on by `ms` and ticks, as the app's 30 s interval does. */
  const after = async (ms: number) => {
    clock.advance(ms);
    await scheduler.tick();
  };
  return { scheduler, clock, history, answers, started, events, after };
}

describe('the catch-up follows the failure’s retry rule (injected clock)', () => {
  it.each(['config', 'host-key-mismatch', 'gate-stale', 'delete-guard', 'destination-marker'] as ErrorKind[])(
    'a failure no retry can fix (%s) is told at once and not tried again at every backoff step',
    async (kind) => {
      const h = await harness([kind]);
      await h.scheduler.onSlot(job, SLOT);
      expect(h.started.map((s) => s.trigger)).toEqual(['schedule']);
      expect(h.scheduler.catchUpPlanned(job.name)).toBe(false);
      expect(h.events.some((e) => e.type === 'engine-log' && e.message.includes('not retried') && e.message.includes(kind))).toBe(true);
      for (const ms of [MIN, 2 * MIN, 4 * MIN, 8 * MIN, 8 * MIN]) await h.after(ms);
      expect(h.started).toHaveLength(1);
      expect(h.answers.probes).toBe(0);
      // The slot stays missed until a later success (the next slot, or Run now) covers it.
      expect(h.history.outstanding(job.name).map((m) => m.cause)).toEqual(['failed']);
    },
  );

  it('a catch-up that fails for such a cause stops there too', async () => {
    const h = await harness(['unreachable', 'gate-stale', undefined]);
    await h.scheduler.onSlot(job, SLOT);
    await h.after(30_000); // the catch-up's first attempt: the gate is stale
    expect(h.started.map((s) => s.trigger)).toEqual(['schedule', 'catch-up']);
    for (const ms of [MIN, 2 * MIN, 4 * MIN]) await h.after(ms);
    expect(h.started).toHaveLength(2);
    expect(h.scheduler.catchUpPlanned(job.name)).toBe(false);
  });

  it('the laptop slept under the run: the catch-up starts at once once both hosts answer, not at the next backoff step', async () => {
    const h = await harness(['slept', undefined]);
    h.answers.now = false; // the network is not back yet when the run fails
    await h.scheduler.onSlot(job, SLOT);
    expect(h.started.map((s) => s.trigger)).toEqual(['schedule']);
    expect(h.answers.probes).toBe(1); // asked at once
    await h.after(10_000);
    expect(h.started).toHaveLength(1); // still no answer due: asked every 15 s
    h.answers.now = true;
    await h.after(5_000);
    expect(h.started.map((s) => [s.trigger, s.at])).toEqual([
      ['schedule', 0],
      ['catch-up', 15_000],
    ]);
    expect(h.history.outstanding(job.name)).toEqual([]);
  });

  it('the network changed under the run and the hosts answer at once: the catch-up runs in the same breath', async () => {
    const h = await harness(['network-changed', undefined]);
    await h.scheduler.onSlot(job, SLOT);
    expect(h.started.map((s) => [s.trigger, s.at])).toEqual([
      ['schedule', 0],
      ['catch-up', 0],
    ]);
    expect(h.history.outstanding(job.name)).toEqual([]);
  });

  it('a failure later may fix (unreachable) waits for the backoff step', async () => {
    const h = await harness(['unreachable', 'unreachable', undefined]);
    await h.scheduler.onSlot(job, SLOT);
    await h.after(30_000);
    expect(h.started.map((s) => s.at)).toEqual([0, 30_000]); // the first catch-up at the next tick
    await h.after(30_000);
    expect(h.started).toHaveLength(2); // 1 min after it: not yet
    await h.after(30_000);
    expect(h.started.map((s) => s.at)).toEqual([0, 30_000, 90_000]);
  });

  it('a sleep that keeps coming back gets a few immediate tries, then backs off', async () => {
    const plan = newCatchUp(0, 86_400_000);
    const timing = { firstMs: MIN, maxMs: 8 * MIN, whenBackProbeMs: 15_000 };
    const failed = (kind: ErrorKind) => ({ status: 'failed', error: { kind, message: kind } }) as RunRecord;
    for (let i = 0; i < QUICK_RETRIES; i++) {
      expect(afterAttempt(plan, failed('slept'), 1000, timing)).toBe('again');
      expect(plan.nextAttemptAt).toBe(1000);
    }
    expect(afterAttempt(plan, failed('slept'), 1000, timing)).toBe('again');
    expect(plan.nextAttemptAt).toBe(1000 + MIN);
    expect(afterAttempt(plan, { status: 'succeeded' } as RunRecord, 2000, timing)).toBe('done');
    expect(afterAttempt(newCatchUp(0, 1), failed('delete-guard'), 0, timing)).toBe('stop');
  });

  it('every error kind has a rule, and BurrowError.retryable reads it', () => {
    for (const [kind, rule] of Object.entries(RETRY_RULE)) expect(new BurrowError(kind as ErrorKind, 'x').retryable).toBe(rule !== 'never');
    expect(new BurrowError('gate-stale', 'x').retryable).toBe(false);
    expect(new BurrowError('slept', 'x').retryable).toBe(true);
  });
});

describe('the sleep watch (injected clock)', () => {
  it('tells a sleep (wall time jumped, monotonic did not) and a stop (monotonic time passed with no look) from a quiet second', () => {
    const clock = new ManualClock(SLOT);
    const watch = new SleepWatch(clock, { stallMs: 5000 });
    clock.advance(1000);
    expect(watch.check()).toBeUndefined();
    clock.jump(2 * 3_600_000); // the lid closed for two hours
    expect(watch.check()).toMatchObject({ how: 'slept', ms: 2 * 3_600_000 });
    clock.advance(8000); // SIGSTOP for 8 s: both clocks moved, no look taken
    expect(watch.check()).toMatchObject({ how: 'stopped', ms: 8000 });
    expect(watch.recent(60_000)).toMatchObject({ how: 'stopped' });
    for (let i = 0; i < 61; i++) {
      clock.advance(1000); // a minute of looks every second
      expect(watch.check()).toBeUndefined();
    }
    expect(watch.recent(60_000)).toBeUndefined();
    clock.advance(4000);
    expect(watch.check()).toBeUndefined();
  });
});
