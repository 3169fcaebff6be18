/**
 * The schedule: fires each job's slots, notices slots that passed with no
 * backup (at start-up, on resume, when the clock jumps), reports each one
 * exactly once with its cause, and starts one catch-up run per job once the
 * source answers, retrying with backoff until the next slot.
 *
 * All time comes from the injected clock. `tick()` does the periodic work;
 * in the app a 30-second interval calls it, in tests the test does.
 */
import { EventEmitter } from 'node:events';
import cron from 'node-cron';
import type { BurrowConfig, JobConfig } from '../../shared/config-schema';
import type { Clock } from '../../shared/clock';
import type { EngineEvent, JobStatus } from '../../shared/engine-events';
import { findMissedSlots, nextSlot, type MissedCause, type MissedSlot, type RunSummary } from '../../shared/missed-slots';
import type { RunRecord, RunTrigger } from '../../shared/run-types';
import type { Heartbeat } from './state/heartbeat';
import type { History } from './state/history';

export interface SchedulerOptions {
  config: BurrowConfig;
  history: History;
  heartbeat: Heartbeat;
  clock: Clock;
  /** Runs a job with the lock held and records it (see Engine). */
  runJob(job: JobConfig, trigger: RunTrigger, slot?: string): Promise<RunRecord>;
  /** Whether a job's source answers now; a catch-up waits for it. */
  probe(job: JobConfig): Promise<boolean>;
  /** Why a job's scheduled or catch-up run waits now (its laptop rules: battery, metered network), or undefined. */
  defer?(job: JobConfig): Promise<MissedCause | undefined>;
  /** Last success older than this raises one 'stale' event (default two days). */
  staleAfterMs?: number;
  /** Catch-up backoff: first retry after firstMs, doubling up to maxMs. */
  backoff?: { firstMs: number; maxMs: number };
}

interface CatchUp {
  attempt: number;
  nextAttemptAt: number;
  /** Give up at the job's next slot: that run will do. */
  deadline: number;
}

export class Scheduler extends EventEmitter<{ event: [EngineEvent] }> {
  private readonly catchUps = new Map<string, CatchUp>();
  private readonly active = new Set<string>();
  private tasks: { stop(): void | Promise<void> }[] = [];
  private interval?: NodeJS.Timeout;

  constructor(private readonly opts: SchedulerOptions) {
    super();
  }

  private get now(): number {
    return this.opts.clock.now().getTime();
  }

  private emitEvent(e: EngineEvent): void {
    this.emit('event', e);
  }

  /** First beat, then a look for slots missed while the engine was not running. */
  async startUp(): Promise<void> {
    await this.opts.heartbeat.beat();
    await this.checkMissed('start-up');
    await this.checkStale();
  }

  /** Arms the real timers: node-cron per job, and the 30 s tick. */
  arm(): void {
    for (const job of this.opts.config.jobs) {
      const task = cron.schedule(job.schedule, () => {
        const slot = new Date(Math.floor(this.now / 60_000) * 60_000);
        void this.onSlot(job, slot);
      });
      this.tasks.push(task);
    }
    this.interval = setInterval(() => void this.tick(), 30_000);
  }

  disarm(): void {
    for (const t of this.tasks) void t.stop();
    this.tasks = [];
    if (this.interval) clearInterval(this.interval);
    this.interval = undefined;
  }

  /** Heartbeat, clock-jump detection, due catch-ups, staleness. */
  async tick(): Promise<void> {
    const beat = await this.opts.heartbeat.beat();
    if (beat.jumped) {
      this.emitEvent({ type: 'engine-log', level: 'info', message: `clock jumped by ${Math.round(beat.jumpMs / 1000)} s; looking for missed backups` });
      await this.checkMissed('clock-jump');
    }
    await this.runDueCatchUps();
    await this.checkStale();
  }

  /** Called on resume from sleep (powerMonitor in the app). */
  async resumed(): Promise<void> {
    await this.opts.heartbeat.beat();
    await this.checkMissed('resume');
    await this.runDueCatchUps();
  }

  /** A job's slot came up. */
  async onSlot(job: JobConfig, slot: Date): Promise<RunRecord | undefined> {
    const iso = slot.toISOString();
    const { history } = this.opts;
    if (history.missedSlots(job.name).some((m) => m.slot === iso)) return undefined;
    if (history.listRuns({ job: job.name }).some((r) => r.slot === iso)) return undefined;
    if (history.isPaused()) {
      await this.reportMissed(job, [{ slot: iso, cause: 'skipped' }]);
      return undefined;
    }
    // Deferred by the laptop rules: recorded with its cause, caught up once the condition clears.
    const deferred = await this.opts.defer?.(job);
    if (deferred) {
      await this.reportMissed(job, [{ slot: iso, cause: deferred }]);
      return undefined;
    }
    const record = await this.run(job, 'schedule', iso);
    if (record && record.status !== 'succeeded') await this.reportMissed(job, [{ slot: iso, cause: 'failed' }]);
    return record;
  }

  private async run(job: JobConfig, trigger: RunTrigger, slot?: string): Promise<RunRecord | undefined> {
    if (this.active.has(job.name)) return undefined;
    this.active.add(job.name);
    try {
      return await this.opts.runJob(job, trigger, slot);
    } catch (err) {
      this.emitEvent({ type: 'engine-log', level: 'warn', message: `${job.name}: ${(err as Error).message}` });
      return undefined;
    } finally {
      this.active.delete(job.name);
    }
  }

  /** Finds, records and reports slots that passed without a backup. */
  async checkMissed(reason: string): Promise<void> {
    const { history, heartbeat } = this.opts;
    const now = this.opts.clock.now();
    for (const job of this.opts.config.jobs) {
      const checked = history.checkedUntil(job.name);
      const lastSeen = heartbeat.lastSeenBefore();
      const fromMs = checked ? Date.parse(checked) : (lastSeen ?? now.getTime());
      if (fromMs < now.getTime()) {
        const runs: RunSummary[] = history.listRuns({ job: job.name, from: new Date(fromMs) }).map((r) => ({
          startedAt: r.startedAt,
          status: r.status,
          ...(r.slot ? { slot: r.slot } : {}),
        }));
        const missed = findMissedSlots({
          schedule: job.schedule,
          from: new Date(fromMs),
          to: now,
          runs,
          spans: heartbeat.allSpans(),
          pauses: history.pauseIntervals(),
          reported: new Set(history.missedSlots(job.name).map((m) => m.slot)),
          running: this.active.has(job.name),
        });
        if (missed.length > 0) {
          this.emitEvent({ type: 'engine-log', level: 'info', message: `${job.name}: ${missed.length} missed slot(s) found at ${reason}` });
          await this.reportMissed(job, missed);
        }
      }
      await history.add({ t: 'checked', job: job.name, until: now.toISOString() });
    }
  }

  private async reportMissed(job: JobConfig, missed: MissedSlot[]): Promise<void> {
    const detectedAt = this.opts.clock.now().toISOString();
    for (const { slot, cause } of missed) {
      await this.opts.history.add({ t: 'missed', job: job.name, slot, cause, detectedAt });
      this.emitEvent({ type: 'missed', job: job.name, slot, cause });
    }
    // Found together: one notice for them all (shared/notification-policy).
    this.emitEvent({ type: 'missed-found', job: job.name, slots: missed });
    if (missed.some((m) => m.cause !== 'skipped')) this.planCatchUp(job);
  }

  private planCatchUp(job: JobConfig): void {
    if (this.catchUps.has(job.name)) return;
    const now = this.now;
    this.catchUps.set(job.name, { attempt: 0, nextAttemptAt: now, deadline: nextSlot(job.schedule, new Date(now)).getTime() });
  }

  /** Catch-ups waiting to run: whether one is planned for the job. */
  catchUpPlanned(job: string): boolean {
    return this.catchUps.has(job);
  }

  /** One catch-up run per job, when due, once the source answers. */
  async runDueCatchUps(): Promise<void> {
    const { firstMs, maxMs } = this.opts.backoff ?? { firstMs: 60_000, maxMs: 30 * 60_000 };
    for (const job of this.opts.config.jobs) {
      const plan = this.catchUps.get(job.name);
      if (!plan || this.now < plan.nextAttemptAt || this.active.has(job.name)) continue;
      if (this.opts.history.outstanding(job.name).length === 0) {
        this.catchUps.delete(job.name);
        continue;
      }
      if (this.now >= plan.deadline) {
        this.catchUps.delete(job.name);
        this.emitEvent({ type: 'engine-log', level: 'warn', message: `${job.name}: catch-up window closed; the next scheduled run will catch up` });
        continue;
      }
      // Still waiting for the laptop (battery, metered network): no attempt counted, asked again next tick.
      if (await this.opts.defer?.(job)) continue;
      const reachable = this.opts.history.isPaused() ? false : await this.opts.probe(job).catch(() => false);
      const record = reachable ? await this.run(job, 'catch-up') : undefined;
      if (record?.status === 'succeeded') {
        this.catchUps.delete(job.name);
        continue;
      }
      plan.attempt++;
      plan.nextAttemptAt = this.now + Math.min(maxMs, firstMs * 2 ** (plan.attempt - 1));
      this.emitEvent({
        type: 'engine-log',
        level: 'info',
        message: `${job.name}: catch-up ${reachable ? 'run failed' : 'waiting for the source'}; next try at ${new Date(plan.nextAttemptAt).toISOString()}`,
      });
    }
  }

  /**
   * One 'stale' event per stretch without success longer than the threshold:
   * recorded in the history before the event, so the next check sees it.
   */
  async checkStale(): Promise<void> {
    const limit = this.opts.staleAfterMs ?? 2 * 86_400_000;
    for (const job of this.opts.config.jobs) {
      const last = this.opts.history.lastSuccess(job.name);
      const since = last ? Date.parse(last.endedAt ?? last.startedAt) : this.firstSeen();
      if (since === undefined || this.now - since <= limit) continue;
      const already = this.opts.history.lastStale(job.name);
      if (already && already.lastSuccess === last?.id) continue;
      const entry = { t: 'stale' as const, job: job.name, at: this.opts.clock.now().toISOString(), ...(last ? { lastSuccess: last.id } : {}) };
      await this.opts.history.add(entry);
      this.emitEvent({ type: 'stale', job: job.name, ageMs: this.now - since, ...(last ? { lastSuccess: last.id } : {}) });
    }
  }

  private firstSeen(): number | undefined {
    const spans = this.opts.heartbeat.allSpans();
    return spans.length ? Math.min(...spans.map((s) => s.from)) : undefined;
  }

  async setPaused(paused: boolean): Promise<void> {
    if (this.opts.history.isPaused() === paused) return;
    await this.opts.history.add({ t: 'pause', paused, at: this.opts.clock.now().toISOString() });
    this.emitEvent({ type: 'schedule', paused });
  }

  status(job: JobConfig): JobStatus {
    const { history } = this.opts;
    const last = history.listRuns({ job: job.name, limit: 1 })[0];
    const success = history.lastSuccess(job.name);
    const successAt = success ? (success.endedAt ?? success.startedAt) : undefined;
    const staleAfter = this.opts.staleAfterMs ?? 2 * 86_400_000;
    const status: JobStatus = {
      job: job.name,
      schedule: job.schedule,
      paused: history.isPaused(),
      running: this.active.has(job.name) || last?.status === 'running',
      nextRunAt: nextSlot(job.schedule, this.opts.clock.now()).toISOString(),
      outstanding: history.outstanding(job.name).map((m) => ({ slot: m.slot, cause: m.cause })),
      stale: successAt ? this.now - Date.parse(successAt) > staleAfter : false,
    };
    if (last) {
      status.lastRun = {
        id: last.id,
        status: last.status,
        startedAt: last.startedAt,
        ...(last.endedAt ? { endedAt: last.endedAt } : {}),
        ...(last.transfer ? { bytesSent: last.transfer.bytesSent } : {}),
      };
    }
    if (successAt) {
      status.lastSuccessAt = successAt;
      status.lastSuccessAgeMs = this.now - Date.parse(successAt);
    }
    return status;
  }

  /** Runs are tracked here too when started outside the schedule (Run now). */
  markActive(job: string, active: boolean): void {
    if (active) this.active.add(job);
    else this.active.delete(job);
  }
}
