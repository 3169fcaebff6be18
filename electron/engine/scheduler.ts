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
 * What a failed run's cause means for the catch-up follows
 * shared/retry-rules.ts: the laptop's own faults (it slept, its network
 * changed) are tried again as soon as both hosts answer; faults a person must
 * fix (config, host key, gate, delete guard, marker) are told once and not
 * retried; the rest back off.
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
import { retryRuleOf, type RetryRule } from '../../shared/retry-rules';
import type { RunRecord, RunTrigger } from '../../shared/run-types';
import { afterAttempt, DEFAULT_TIMING, newCatchUp, QUICK_RETRIES, type CatchUp, type CatchUpTiming } from './catch-up-plan';
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
  /** Catch-up backoff: first retry after firstMs, doubling up to maxMs; a when-back plan asks every whenBackProbeMs (catch-up-plan.ts). */
  backoff?: Partial<CatchUpTiming>;
}

export class Scheduler extends EventEmitter<{ event: [EngineEvent] }> {
  private readonly catchUps = new Map<string, CatchUp>();
  readonly queue: RunQueue;
  private tasks: { stop(): void | Promise<void> }[] = [];
  private interval?: NodeJS.Timeout;
  /** While armed: the next catch-up attempt due before the next tick. */
  private soon?: NodeJS.Timeout;

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
        this.onSlot(job, slot).catch((err: Error) => this.failedToRecord(err));
      });
      this.tasks.push(task);
    }
    this.interval = setInterval(() => this.tick().catch((err: Error) => this.failedToRecord(err)), 30_000);
    // Catch-ups planned at start-up go now, not at the first tick.
    this.armSoon();
  }

  /** A timer's work that could not be written (the state dir full or read-only): said, and tried again at the next tick. */
  private failedToRecord(err: Error): void {
    this.emitEvent({ type: 'engine-log', level: 'error', message: `the schedule could not record its work: ${err.message}` });
  }

  disarm(): void {
    for (const t of this.tasks) void t.stop();
    this.tasks = [];
    if (this.interval) clearInterval(this.interval);
    this.interval = undefined;
    if (this.soon) clearTimeout(this.soon);
    this.soon = undefined;
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
    if (record && record.status !== 'succeeded') {
      const rule = retryRuleOf(record.error);
      await this.reportMissed(job, [{ slot: record.slot ?? iso, cause: 'failed' }], rule, record);
      // The laptop slept or roamed under the run: the catch-up goes as soon as the hosts answer, not at the next tick.
      if (rule === 'when-back') await this.runDueCatchUps();
    }
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

  private async reportMissed(job: JobConfig, missed: MissedSlot[], rule: RetryRule = 'backoff', failed?: RunRecord): Promise<void> {
    const detectedAt = this.opts.clock.now().toISOString();
    await this.opts.history.addAll(missed.map(({ slot, cause }) => ({ t: 'missed' as const, job: job.name, slot, cause, detectedAt })));
    this.announceMissed(job, missed, rule, failed);
  }

  /** Tells of one job's missed slots, found together; plans the catch-up as the failure's rule says. */
  private announceMissed(job: JobConfig, missed: MissedSlot[], rule: RetryRule = 'backoff', failed?: RunRecord): void {
    for (const { slot, cause } of missed) this.emitEvent({ type: 'missed', job: job.name, slot, cause });
    // Found together: one notice for them all (shared/notification-policy).
    this.emitEvent({ type: 'missed-found', job: job.name, slots: missed });
    if (!missed.some((m) => m.cause !== 'skipped')) return;
    if (rule === 'never') this.notRetried(job, failed);
    else this.planCatchUp(job, rule === 'when-back');
  }

  private planCatchUp(job: JobConfig, whenBack = false): void {
    const plan = this.catchUps.get(job.name);
    if (plan) {
      if (whenBack && !plan.inFlight) Object.assign(plan, { whenBack, nextAttemptAt: this.now });
      return;
    }
    const now = this.now;
    this.catchUps.set(job.name, newCatchUp(now, nextSlot(job.schedule, new Date(now)).getTime(), whenBack));
  }

  /** A failure a person must fix: told once (the run's own notice), and no catch-up keeps trying it. */
  private notRetried(job: JobConfig, failed?: RunRecord): void {
    this.catchUps.delete(job.name);
    this.emitEvent({
      type: 'engine-log',
      level: 'warn',
      message: `${job.name}: not retried (${failed?.error?.kind ?? 'failed'}: a person has to act); the next scheduled run, or Run now, tries again`,
    });
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
    // A when-back failure makes its plan due again at once: a few rounds, bounded by QUICK_RETRIES.
    for (let round = 0; round <= QUICK_RETRIES; round++) {
      const attempts = this.startDueCatchUps();
      if (attempts.length === 0) break;
      await Promise.all(attempts);
    }
    this.armSoon();
  }

  private startDueCatchUps(): Promise<void>[] {
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
    return attempts;
  }

  /** While armed, a catch-up due before the next 30 s tick gets a timer of its own (a when-back plan asks every 15 s). */
  private armSoon(): void {
    if (!this.interval) return;
    if (this.soon) clearTimeout(this.soon);
    this.soon = undefined;
    const due = [...this.catchUps.values()].filter((p) => !p.inFlight).map((p) => p.nextAttemptAt);
    if (due.length === 0) return;
    const wait = Math.max(0, Math.min(...due) - this.now);
    if (wait >= 30_000) return;
    this.soon = setTimeout(() => this.runDueCatchUps().catch((err: Error) => this.failedToRecord(err)), wait + 50);
    this.soon.unref();
  }

  private async attemptCatchUp(job: JobConfig, plan: CatchUp): Promise<void> {
    plan.inFlight = true;
    try {
      // Still waiting for the laptop (battery, metered network): no attempt counted, asked again next tick.
      if (await this.opts.defer?.(job)) return;
      const reachable = this.opts.history.isPaused() ? false : await this.opts.probe(job).catch(() => false);
      const record = reachable ? await this.run(job, 'catch-up') : undefined;
      const next = afterAttempt(plan, record, this.now, { ...DEFAULT_TIMING, ...this.opts.backoff });
      if (next === 'done') this.catchUps.delete(job.name);
      if (next === 'stop') this.notRetried(job, record);
      if (next !== 'again') return;
      const waiting = plan.whenBack ? 'waiting for both hosts to answer' : 'waiting for the source';
      this.emitEvent({
        type: 'engine-log',
        level: 'info',
        message: `${job.name}: catch-up ${record ? 'run failed' : waiting}; next try ${plan.nextAttemptAt <= this.now ? 'now' : `at ${new Date(plan.nextAttemptAt).toISOString()}`}`,
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
