/**
 * The schedule: fires each job's slots, notices slots that passed with no
 * backup (at start-up, on resume, when the clock jumps), reports each one
 * exactly once with its cause, and starts one catch-up run per job once the
 * source answers, retrying with backoff until the next slot.
 *
 * Scheduled and catch-up runs take a place in a RunQueue: at most
 * `maxConcurrentRuns` at once, one per source host; the rest wait, visibly,
 * and a slot whose run waits is not missed.
 *
 * All time comes from the injected clock. `tick()` does the periodic work;
 * in the app a 30-second interval calls it, in tests the test does. What it
 * asks of the history per job is a cached lookup, never a walk over runs.
 */
import { EventEmitter } from 'node:events';
import cron from 'node-cron';
import type { BurrowConfig, JobConfig } from '../../shared/config-schema';
import type { Clock } from '../../shared/clock';
import type { EngineEvent, JobStatus } from '../../shared/engine-events';
import { findMissedSlots, nextSlot, type MissedCause, type MissedSlot } from '../../shared/missed-slots';
import type { RunRecord, RunTrigger } from '../../shared/run-types';
import { RunQueue } from './run-queue';
import type { Heartbeat } from './state/heartbeat';
import type { History, HistoryEntry } from './state/history';

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
  /** An attempt (probe, wait for a place, run) is under way. */
  inFlight?: boolean;
}

export class Scheduler extends EventEmitter<{ event: [EngineEvent] }> {
  private readonly catchUps = new Map<string, CatchUp>();
  readonly queue: RunQueue;
  private tasks: { stop(): void | Promise<void> }[] = [];
  private interval?: NodeJS.Timeout;

  constructor(private readonly opts: SchedulerOptions) {
    super();
    this.queue = new RunQueue(opts.config.maxConcurrentRuns);
  }

  /** Jobs on one source machine share a place: keyed by where its sshd is, not by the host entry's name. */
  private hostOf(job: JobConfig): string {
    const h = this.opts.config.hosts[job.source];
    return h ? `${h.hostname}:${h.port}` : job.source;
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
    this.queue.drop();
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
    if (history.hasMissed(job.name, iso) || history.hasRunForSlot(job.name, iso)) return undefined;
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
    // A run that waited may stand for a later slot than the one that queued it.
    if (record && record.status !== 'succeeded') await this.reportMissed(job, [{ slot: record.slot ?? iso, cause: 'failed' }]);
    return record;
  }

  /** Runs a job once it has a place in the queue; undefined when it already runs or waits. */
  private async run(job: JobConfig, trigger: RunTrigger, slot?: string): Promise<RunRecord | undefined> {
    if (this.queue.busy(job.name)) {
      // Still waiting for the previous slot when the next comes: it runs for the new one, the old one is missed.
      const older = slot && !this.queue.isRunning(job.name) ? this.queue.retarget(job.name, slot) : undefined;
      if (older) await this.reportMissed(job, [{ slot: older, cause: 'queued' }]);
      return undefined;
    }
    const granted = await this.queue.acquire(
      { job: job.name, host: this.hostOf(job), trigger, since: this.opts.clock.now().toISOString(), ...(slot ? { slot } : {}) },
      (ahead) => this.emitEvent({ type: 'queued', job: job.name, trigger, ahead, ...(slot ? { slot } : {}) }),
    );
    if (!granted.ok) return undefined;
    try {
      return await this.opts.runJob(job, trigger, granted.slot);
    } catch (err) {
      this.emitEvent({ type: 'engine-log', level: 'warn', message: `${job.name}: ${(err as Error).message}` });
      return undefined;
    } finally {
      this.queue.release(job.name);
    }
  }

  /**
   * Finds, records and reports slots that passed without a backup. What it
   * finds for every job, and how far each was checked, is written in one
   * transaction (one fsync), then reported.
   */
  async checkMissed(reason: string): Promise<void> {
    const { history, heartbeat } = this.opts;
    const now = this.opts.clock.now();
    const spans = heartbeat.allSpans();
    const lastSeen = heartbeat.lastSeenBefore();
    const found: { job: JobConfig; missed: MissedSlot[] }[] = [];
    const entries: HistoryEntry[] = [];
    for (const job of this.opts.config.jobs) {
      const checked = history.checkedUntil(job.name);
      const fromMs = checked ? Date.parse(checked) : (lastSeen ?? now.getTime());
      if (fromMs < now.getTime()) {
        const from = new Date(fromMs);
        const missed = findMissedSlots({
          schedule: job.schedule,
          from,
          to: now,
          runs: history.runsSince(job.name, from),
          spans,
          pauses: history.pauseIntervals(from),
          reported: new Set(history.missedSlots(job.name, { from: from.toISOString(), to: now.toISOString() }).map((m) => m.slot)),
          running: this.queue.isRunning(job.name),
          pending: this.queue.pendingSlots(job.name),
        });
        if (missed.length > 0) {
          this.emitEvent({ type: 'engine-log', level: 'info', message: `${job.name}: ${missed.length} missed slot(s) found at ${reason}` });
          found.push({ job, missed });
        }
      }
      if (checked !== now.toISOString()) entries.push({ t: 'checked', job: job.name, until: now.toISOString() });
    }
    const detectedAt = now.toISOString();
    for (const f of found) for (const { slot, cause } of f.missed) entries.push({ t: 'missed', job: f.job.name, slot, cause, detectedAt });
    await history.addAll(entries);
    for (const f of found) this.announceMissed(f.job, f.missed);
  }

  private async reportMissed(job: JobConfig, missed: MissedSlot[]): Promise<void> {
    const detectedAt = this.opts.clock.now().toISOString();
    await this.opts.history.addAll(missed.map(({ slot, cause }) => ({ t: 'missed' as const, job: job.name, slot, cause, detectedAt })));
    this.announceMissed(job, missed);
  }

  /** Tells of one job's missed slots, found together; plans the catch-up. */
  private announceMissed(job: JobConfig, missed: MissedSlot[]): void {
    for (const { slot, cause } of missed) this.emitEvent({ type: 'missed', job: job.name, slot, cause });
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

  /**
   * One catch-up run per job, when due, once the source answers. The due
   * ones start together and share the queue's places; this resolves when
   * every attempt it started has ended.
   */
  async runDueCatchUps(): Promise<void> {
    const attempts: Promise<void>[] = [];
    for (const job of this.opts.config.jobs) {
      const plan = this.catchUps.get(job.name);
      if (!plan || plan.inFlight || this.now < plan.nextAttemptAt || this.queue.busy(job.name)) continue;
      if (this.opts.history.outstanding(job.name).length === 0) {
        this.catchUps.delete(job.name);
        continue;
      }
      if (this.now >= plan.deadline) {
        this.catchUps.delete(job.name);
        this.emitEvent({ type: 'engine-log', level: 'warn', message: `${job.name}: catch-up window closed; the next scheduled run will catch up` });
        continue;
      }
      attempts.push(this.attemptCatchUp(job, plan));
    }
    await Promise.all(attempts);
  }

  private async attemptCatchUp(job: JobConfig, plan: CatchUp): Promise<void> {
    const { firstMs, maxMs } = this.opts.backoff ?? { firstMs: 60_000, maxMs: 30 * 60_000 };
    plan.inFlight = true;
    try {
      // Still waiting for the laptop (battery, metered network): no attempt counted, asked again next tick.
      if (await this.opts.defer?.(job)) return;
      const reachable = this.opts.history.isPaused() ? false : await this.opts.probe(job).catch(() => false);
      const record = reachable ? await this.run(job, 'catch-up') : undefined;
      if (record?.status === 'succeeded') {
        this.catchUps.delete(job.name);
        return;
      }
      plan.attempt++;
      plan.nextAttemptAt = this.now + Math.min(maxMs, firstMs * 2 ** (plan.attempt - 1));
      this.emitEvent({
        type: 'engine-log',
        level: 'info',
        message: `${job.name}: catch-up ${reachable ? 'run failed' : 'waiting for the source'}; next try at ${new Date(plan.nextAttemptAt).toISOString()}`,
      });
    } finally {
      plan.inFlight = false;
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

  /** A job's status from the history's per-job summary (cached lookups) and the queue. */
  status(job: JobConfig): JobStatus {
    const { history } = this.opts;
    const { lastRun: last, lastSuccess: success, outstanding } = history.job(job.name);
    const successAt = success ? (success.endedAt ?? success.startedAt) : undefined;
    const staleAfter = this.opts.staleAfterMs ?? 2 * 86_400_000;
    const queued = this.queue.queued(job.name);
    const status: JobStatus = {
      job: job.name,
      schedule: job.schedule,
      paused: history.isPaused(),
      running: this.queue.isRunning(job.name) || last?.status === 'running',
      nextRunAt: nextSlot(job.schedule, this.opts.clock.now()).toISOString(),
      outstanding: outstanding.map((m) => ({ slot: m.slot, cause: m.cause })),
      stale: successAt ? this.now - Date.parse(successAt) > staleAfter : false,
      ...(queued ? { queued } : {}),
    };
    if (last) {
      status.lastRun = {
        id: last.id,
        status: last.status,
        startedAt: last.startedAt,
        ...(last.endedAt ? { endedAt: last.endedAt } : {}),
        ...(last.bytesSent !== undefined ? { bytesSent: last.bytesSent } : {}),
      };
    }
    if (successAt) {
      status.lastSuccessAt = successAt;
      status.lastSuccessAgeMs = this.now - Date.parse(successAt);
    }
    return status;
  }

  /** Runs started outside the schedule (Run now) hold a place too, at once, whatever the limit. */
  markActive(job: string, active: boolean): void {
    const j = this.opts.config.jobs.find((x) => x.name === job);
    if (active) this.queue.occupy(job, j ? this.hostOf(j) : job);
    else this.queue.release(job);
  }
}
