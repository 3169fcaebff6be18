/**
 * The engine as its users see it (tray app, daemon, web UI, CLI): jobs can be
 * run now or on schedule, one at a time per job across processes, every run
 * is recorded, and everything that happens comes out as EngineEvents.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { BurrowConfig, JobConfig } from '../../shared/config-schema';
import { systemClock, type Clock } from '../../shared/clock';
import type { EngineEvent, JobStatus } from '../../shared/engine-events';
import type { RunRecord, RunSummary, RunTrigger } from '../../shared/run-types';
import type { BackupRun, RunOptions } from './backup-run';
import type { CatchUpTiming } from './catch-up-plan';
import { BurrowError } from './errors';
import { destinationOf, findJob } from './job-lookup';
import { connectOutcome } from './ssh/connection-loss';
import type { AgentProvider } from './ssh/auth';
import { Heartbeat } from './state/heartbeat';
import { History } from './state/history';
import { Deferral } from './laptop/deferral';
import { systemLaptopSource, type LaptopSource } from './laptop/laptop-source';
import { acquireJobLock, LockHeldError } from './state/job-lock';
import { Scheduler } from './scheduler';

export interface EngineOptions {
  config: BurrowConfig;
  /** Where history, heartbeat and locks live (see paths.stateDir). */
  stateDir: string;
  clock?: Clock;
  agents?: AgentProvider;
  staleAfterMs?: number;
  /** Catch-up timing (catch-up-plan.ts): the backoff, and how often a catch-up after the laptop's own fault asks whether the hosts answer. */
  backoff?: Partial<CatchUpTiming>;
  /** Overrides how a catch-up checks that the source answers. */
  probe?: (job: JobConfig) => Promise<boolean>;
  /** Where the laptop's battery and network state come from (default: sysfs and NetworkManager on Linux). */
  laptop?: LaptopSource;
  /** Called before each step of each run (simulations: the soak's laptop sleeps as a transfer starts). */
  beforeStep?: RunOptions['beforeStep'];
}

/** A run that holds its job's lock: its id at once, its record when it ends. */
export interface StartedRun {
  runId: string;
  done: Promise<RunRecord>;
  /** Run now overrode the job's laptop rules (also in the run's log). */
  warning?: string;
}

export class Engine extends EventEmitter<{ event: [EngineEvent] }> {
  readonly scheduler: Scheduler;
  private readonly controllers = new Map<string, AbortController>();
  private readonly runs = new Map<string, BackupRun>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly deferral: Deferral;

  private constructor(
    readonly config: BurrowConfig,
    readonly history: History,
    readonly heartbeat: Heartbeat,
    private readonly opts: EngineOptions,
  ) {
    super();
    this.deferral = new Deferral(opts.laptop ?? systemLaptopSource(), (message) => this.emit('event', { type: 'engine-log', level: 'info', message }));
    this.scheduler = new Scheduler({
      config,
      history,
      heartbeat,
      clock: this.clock,
      runJob: (job, trigger, slot) => this.startLocked(job, trigger, slot).then((started) => started.done),
      probe: opts.probe ?? ((job) => tcpProbe(config, job)),
      defer: (job) => this.deferral.check(job),
      ...(opts.staleAfterMs !== undefined ? { staleAfterMs: opts.staleAfterMs } : {}),
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
    });
    this.scheduler.on('event', (e) => this.emit('event', e));
  }

  static async open(opts: EngineOptions): Promise<Engine> {
    const clock = opts.clock ?? systemClock;
    let warn: (m: string) => void = () => {};
    const history = await History.open(opts.stateDir, (m) => warn(m));
    const heartbeat = await Heartbeat.open(join(opts.stateDir, 'heartbeat.json'), clock);
    const engine = new Engine(opts.config, history, heartbeat, opts);
    warn = (message) => engine.emit('event', { type: 'engine-log', level: 'warn', message });
    return engine;
  }

  /** Who signs for this engine's connections. */
  get agents(): AgentProvider | undefined {
    return this.opts.agents;
  }

  /** Where history, heartbeat, locks and kept listings live. */
  get stateDir(): string {
    return this.opts.stateDir;
  }

  get clock(): Clock {
    return this.opts.clock ?? systemClock;
  }

  /** Runs a job now (manual). Rejects with LockHeldError when it already runs anywhere. */
  runNow(jobName?: string, trigger: RunTrigger = 'manual', opts: { dryRun?: boolean } = {}): Promise<RunRecord> {
    return this.startRun(jobName, trigger, opts).then((started) => started.done);
  }

  /**
   * Starts a run and resolves with its id as soon as it holds the job's lock
   * (rejects when another process holds it); `done` settles when it ends.
   */
  startRun(jobName?: string, trigger: RunTrigger = 'manual', opts: { dryRun?: boolean } = {}): Promise<StartedRun> {
    const job = findJob(this.config, jobName);
    // Run now always runs; when the laptop rules would have waited, it says so.
    const warning = trigger === 'manual' && !opts.dryRun ? this.deferral.warning(job) : Promise.resolve(undefined);
    return warning.then((w) => {
      if (w) this.emit('event', { type: 'engine-log', level: 'warn', message: w });
      return this.startLocked(job, trigger, undefined, opts.dryRun, w);
    });
  }

  /** Cancels a job's run in this process; teardown still runs. */
  cancel(jobName: string): boolean {
    const c = this.controllers.get(jobName);
    c?.abort();
    return c !== undefined;
  }

  /**
   * The laptop woke from sleep (a resume event): runs in flight check at once
   * that their connections survived, and missed slots are looked for.
   */
  async resumed(): Promise<void> {
    for (const run of this.runs.values()) run.woke();
    await this.scheduler.resumed();
  }

  private async startLocked(job: JobConfig, trigger: RunTrigger, slot?: string, dryRun = false, warning?: string): Promise<StartedRun> {
    let lock;
    try {
      lock = await acquireJobLock(join(this.opts.stateDir, 'locks'), job.name, `run (${trigger})`);
    } catch (err) {
      if (err instanceof LockHeldError) {
        this.emit('event', { type: 'busy', job: job.name, holderPid: err.holder.pid, message: err.message });
        throw err;
      }
      throw stateDirError(this.opts.stateDir, err);
    }
    if (lock.tookOverFrom) {
      this.emit('event', {
        type: 'engine-log',
        level: 'warn',
        message: `${job.name}: took over a lock left by process ${lock.tookOverFrom.pid}, which is gone`,
      });
    }
    const controller = new AbortController();
    let run: BackupRun;
    try {
      const [{ BackupRun }, { storedRecords }] = await Promise.all([import('./backup-run'), import('./archives')]);
      run = new BackupRun({
        config: this.config,
        job,
        trigger,
        clock: this.clock,
        signal: controller.signal,
        priorSuccess: succeededAt(this.history.lastSuccess(job.name), job),
        records: storedRecords(this.history, this.opts.stateDir),
        ...(dryRun ? { dryRun } : {}),
        ...(this.opts.agents ? { agents: this.opts.agents } : {}),
        ...(this.opts.beforeStep ? { beforeStep: this.opts.beforeStep } : {}),
      });
    } catch (err) {
      await lock.release();
      throw err;
    }
    if (slot) run.record.slot = slot;
    if (warning) (run.record.log ??= []).push({ at: this.clock.now().toISOString(), level: 'warn', message: warning });
    // The run is in the history before it touches anything (a dry run changes nothing, history included):
    // a state dir that is full or read-only stops it here, with nothing sent and no record torn.
    if (!dryRun) {
      try {
        await this.history.recordRun(structuredClone(run.record));
      } catch (err) {
        await lock.release().catch(() => undefined);
        throw stateDirError(this.opts.stateDir, err);
      }
    }
    this.controllers.set(job.name, controller);
    this.runs.set(job.name, run);
    this.scheduler.markActive(job.name, true);
    const work = (async () => {
      try {
        let finished: EngineEvent | undefined;
        run.on('event', (e) => {
          // Watchers re-read history when a run finishes: tell them once it is written.
          if (e.type === 'run-finished') finished = e;
          else this.emit('event', e);
        });
        const record = await run.start();
        if (!dryRun) await this.history.recordRun(record);
        // Not running any more by the time watchers hear it finished.
        this.scheduler.markActive(job.name, false);
        if (finished) this.emit('event', finished);
        if (record.status === 'succeeded' && !dryRun) await this.markCaughtUp(job, record);
        return record;
      } finally {
        this.scheduler.markActive(job.name, false);
        this.controllers.delete(job.name);
        this.runs.delete(job.name);
        await lock.release();
      }
    })();
    this.inFlight.add(work);
    return { runId: run.record.id, done: work.finally(() => this.inFlight.delete(work)), ...(warning ? { warning } : {}) };
  }

  private async markCaughtUp(job: JobConfig, record: RunRecord): Promise<void> {
    const slots = this.history.outstanding(job.name).map((m) => m.slot);
    if (slots.length === 0) return;
    await this.history.add({ t: 'caught-up', job: job.name, slots, runId: record.id, at: this.clock.now().toISOString() });
    this.emit('event', { type: 'caught-up', job: job.name, slots, runId: record.id });
  }

  status(): JobStatus[] {
    return this.config.jobs.map((j) => this.scheduler.status(j));
  }

  /** Cancels every run in flight, waits for their teardown, and closes the history. */
  async shutdown(): Promise<void> {
    this.scheduler.disarm();
    for (const c of this.controllers.values()) c.abort();
    await Promise.allSettled([...this.inFlight]);
    this.history.close();
  }
}

/** Whether `last` (a job's last success) wrote to the job's destination as configured now; records from before Burrow noted the path count as yes. */
function succeededAt(last: RunSummary | undefined, job: JobConfig): boolean {
  return last !== undefined && (last.destination === undefined || last.destination === destinationOf(job));
}

/** A catch-up waits until the source's and the destination's sshd answer (their "SSH-" greeting; one reached through a jump host: just try). */
export async function tcpProbe(config: BurrowConfig, job: JobConfig, timeoutMs = 5000): Promise<boolean> {
  const answers = await Promise.all(
    [config.hosts[job.source], config.hosts[job.destination.host]].map((host) =>
      !host || host.proxyJump ? true : connectOutcome(host.hostname, host.port, timeoutMs, { banner: true }).then((o) => o === 'ssh'),
    ),
  );
  return answers.every(Boolean);
}

/** A failure to write the state dir, as the reason a run did not start. */
function stateDirError(stateDir: string, err: unknown): BurrowError {
  // The history says it in its own words; the system's are shorter.
  const inner = err instanceof BurrowError && err.cause instanceof Error ? err.cause : (err as NodeJS.ErrnoException);
  const said = `${(inner as NodeJS.ErrnoException).code ?? ''} ${inner.message} ${(err as Error).message}`;
  // Words of the errors, not of the path (a state dir may well be called ".../state-full").
  const why = /ENOSPC|SQLITE_FULL|disk is full|no space left/i.test(said)
    ? 'it is full'
    : /EROFS|EACCES|EPERM|READONLY|read-only/i.test(said)
      ? 'it is read-only'
      : 'it cannot be written';
  return new BurrowError(
    'state-dir',
    `Burrow cannot write its state dir ${stateDir}: ${why} (${inner.message}). The run did not start and nothing was sent; free some space there (or make it writable) and run again`,
    { cause: err },
  );
}
