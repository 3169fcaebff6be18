/**
 * A backup run: a list of steps walked in order, each reporting its start,
 * end or failure with its duration. Teardown always runs, also after a
 * failure or a cancel. The run only emits events; whoever starts it decides
 * what to show.
 */
import { destinationOf, findJob } from './job-lookup';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { dateStamp } from '../../shared/archive-names';
import type { BurrowConfig, JobConfig } from '../../shared/config-schema';
import { systemClock, type Clock } from '../../shared/clock';
import { STEP_NAMES, type RunEvent, type RunRecord, type RunTrigger, type StepName, type StepRecord } from '../../shared/run-types';
import { BurrowError, isCancelled, toRunError } from './errors';
import type { StoredRecords } from './formats/storage-format';
import type { RunContext, Step } from './run-context';
import { DefaultAgentProvider, type AgentProvider } from './ssh/auth';
import { cleanUpStep } from './steps/clean-up';
import { connectStep } from './steps/connect';
import { formatOf } from './formats';
import { connectionsLost, explainFailure } from './run-interruptions';
import { SleepWatch, type Stall } from './sleep-watch';
import { guardStep } from './steps/guard';
import { teardownStep } from './steps/teardown';
import { transferStep } from './steps/transfer';
import { tunnelStep } from './steps/tunnel';
import { verifyStep } from './steps/verify';

const STEPS: Record<Exclude<StepName, 'teardown'>, Step> = {
  connect: connectStep,
  'clean-up': cleanUpStep,
  pack: (ctx) => ctx.format.pack(ctx),
  prune: (ctx) => ctx.format.pruneSource(ctx),
  guard: guardStep,
  tunnel: tunnelStep,
  transfer: transferStep,
  verify: verifyStep,
  'prune-destination': (ctx) => ctx.format.pruneDestination(ctx),
};

/** A dry run stops before anything that changes the destination or opens a listener. */
const CHANGES_THINGS: ReadonlySet<StepName> = new Set(['clean-up', 'tunnel', 'transfer', 'verify', 'prune-destination']);

export interface RunOptions {
  config: BurrowConfig;
  job: string | JobConfig;
  trigger?: RunTrigger;
  clock?: Clock;
  signal?: AbortSignal;
  agents?: AgentProvider;
  /** Report what would be packed, pruned, sent and deleted; change nothing. */
  dryRun?: boolean;
  /** The job's last success wrote to this destination path (from history): its marker must then exist. */
  priorSuccess?: boolean;
  /** Checksums recorded when backups were sent (history), for the verify step's sample. */
  records?: StoredRecords;
  /**
   * Fault injection for tests: awaited before each step, so a test can change
   * the world at an exact point of a run (swap a host key, kill a host).
   */
  beforeStep?: (step: StepName) => Promise<void>;
}

function newRunId(now: Date): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/** The shared state of one run (or one `burrow check`). */
export function createRunContext(opts: RunOptions, job: JobConfig, record: RunRecord, emit: (e: RunEvent) => void): RunContext {
  const sourceHost = opts.config.hosts[job.source];
  const destinationHost = opts.config.hosts[job.destination.host];
  if (!sourceHost || !destinationHost) throw new BurrowError('config', `job ${job.name} names a host that is not in the config`);
  return {
    config: opts.config,
    job,
    format: formatOf(job),
    sourceHost,
    destinationHost,
    clock: opts.clock ?? systemClock,
    signal: opts.signal ?? new AbortController().signal,
    agents: opts.agents ?? new DefaultAgentProvider(),
    record,
    dryRun: opts.dryRun === true,
    priorSuccess: opts.priorSuccess === true,
    ...(opts.records ? { records: opts.records } : {}),
    emit,
    log: (level, message) => {
      (record.log ??= []).push({ at: (opts.clock ?? systemClock).now().toISOString(), level, message });
      emit({ type: 'log', runId: record.id, level, message });
    },
  };
}

/** `HOST:PATH`: where a job writes; a run record remembers it, so a new path counts as a new destination. */

export function newRunRecord(job: JobConfig, trigger: RunTrigger, now: Date): RunRecord {
  return {
    id: newRunId(now),
    job: job.name,
    trigger,
    status: 'running',
    startedAt: now.toISOString(),
    stamp: dateStamp(now),
    destination: destinationOf(job),
    steps: STEP_NAMES.map((name): StepRecord => ({ name, status: 'pending' })),
  };
}

interface BackupRunEvents {
  event: [RunEvent];
}

/** One run of one job. Subscribe to 'event', then await start(). */
export class BackupRun extends EventEmitter<BackupRunEvents> {
  readonly record: RunRecord;
  private readonly ctx: RunContext;
  /** The run's own reason to stop (its connections did not survive a sleep), beside the caller's cancel. */
  private readonly interrupt = new AbortController();
  private readonly watch: SleepWatch;
  private current: StepName = 'connect';
  private checking?: Promise<void>;

  constructor(private readonly opts: RunOptions) {
    super();
    const job = typeof opts.job === 'string' ? findJob(opts.config, opts.job) : opts.job;
    const clock = opts.clock ?? systemClock;
    const now = clock.now();
    this.record = newRunRecord(job, opts.trigger ?? 'manual', now);
    if (opts.dryRun) this.record.dryRun = true;
    const signal = opts.signal ? AbortSignal.any([opts.signal, this.interrupt.signal]) : this.interrupt.signal;
    this.ctx = createRunContext({ ...opts, signal }, job, this.record, (e) => this.emit('event', e));
    this.watch = new SleepWatch(clock);
  }

  /**
   * The laptop woke up (a resume event): the run's connections must answer
   * at once, or the run ends with the sleep as its cause.
   */
  woke(): void {
    this.onStall(this.watch.check() ?? { ms: 0, how: 'slept', endedAtMono: this.ctx.clock.monotonicMs() });
  }

  private onStall(stall: Stall): void {
    if (this.checking || this.interrupt.signal.aborted) return;
    const step = this.current;
    this.checking = connectionsLost(this.ctx, stall, step)
      .then((lost) => {
        if (lost) this.interrupt.abort(lost);
      })
      .finally(() => (this.checking = undefined));
  }

  /** Walks the steps; resolves with the finished record (it never rejects). */
  async start(): Promise<RunRecord> {
    this.watch.start((stall) => this.onStall(stall));
    try {
      return await this.walk();
    } finally {
      this.watch.stop();
    }
  }

  private async walk(): Promise<RunRecord> {
    const { record, ctx } = this;
    this.emit('event', { type: 'run-started', run: structuredClone(record) });
    let failure: unknown;
    for (const name of Object.keys(STEPS) as (keyof typeof STEPS)[]) {
      if (failure === undefined && ctx.signal.aborted) {
        // Stopped between two steps: the step that would have run is the one it stopped in.
        failure = await this.cause(new BurrowError('cancelled', 'the run was cancelled'), name);
        const s = this.step(name);
        s.error = toRunError(failure, name);
        this.finishStep(name, isCancelled(failure) ? 'cancelled' : 'failed');
        continue;
      }
      if (failure !== undefined) {
        this.finishStep(name, isCancelled(failure) ? 'cancelled' : 'skipped');
        continue;
      }
      if (ctx.dryRun && CHANGES_THINGS.has(name)) {
        this.finishStep(name, 'skipped', 'dry run');
        continue;
      }
      await this.opts.beforeStep?.(name);
      failure = await this.runStep(name, STEPS[name]);
    }
    await this.runStep('teardown', teardownStep);
    record.endedAt = ctx.clock.now().toISOString();
    if (failure === undefined) record.status = 'succeeded';
    else {
      record.status = isCancelled(failure) ? 'cancelled' : 'failed';
      record.error = toRunError(failure, record.steps.find((s) => s.status === 'failed' || s.status === 'cancelled')?.name);
    }
    this.emit('event', { type: 'run-finished', run: structuredClone(record) });
    return record;
  }

  private step(name: StepName): StepRecord {
    return this.record.steps.find((s) => s.name === name)!;
  }

  private finishStep(name: StepName, status: StepRecord['status'], detail?: string): void {
    const s = this.step(name);
    s.status = status;
    if (detail) s.detail = detail;
    this.emit('event', { type: 'step', runId: this.record.id, step: { ...s } });
  }

  /** Runs one step; returns the error it failed with, or undefined. */
  private async runStep(name: StepName, fn: Step): Promise<unknown> {
    const s = this.step(name);
    const started = performance.now();
    s.status = 'running';
    s.startedAt = this.ctx.clock.now().toISOString();
    this.emit('event', { type: 'step', runId: this.record.id, step: { ...s } });
    let error: unknown;
    if (name !== 'teardown') this.current = name;
    try {
      const out = await fn(this.ctx);
      s.status = out.skipped ? 'skipped' : 'ok';
      if (out.detail !== undefined) s.detail = out.detail;
      if (out.bytes !== undefined) s.bytes = out.bytes;
      if (out.command !== undefined) s.command = out.command;
    } catch (err) {
      error = await this.cause(err, name);
      s.status = isCancelled(error) ? 'cancelled' : 'failed';
      s.error = toRunError(error, name);
    }
    s.endedAt = this.ctx.clock.now().toISOString();
    s.durationMs = Math.round(performance.now() - started);
    this.emit('event', { type: 'step', runId: this.record.id, step: { ...s } });
    return error;
  }

  /** What a step's failure is recorded as: the caller's cancel, the run's own interruption, the sleep or the network when they explain it. */
  private async cause(err: unknown, name: StepName): Promise<unknown> {
    if (this.opts.signal?.aborted) return isCancelled(err) ? err : new BurrowError('cancelled', 'the run was cancelled', { cause: err });
    await this.checking;
    const reason: unknown = this.interrupt.signal.reason;
    if (this.interrupt.signal.aborted && reason instanceof BurrowError) return reason;
    return explainFailure(this.ctx, err, name, this.watch);
  }
}

/** Convenience: run one job to the end. */
export function runBackup(opts: RunOptions, onEvent?: (e: RunEvent) => void): Promise<RunRecord> {
  const run = new BackupRun(opts);
  if (onEvent) run.on('event', onEvent);
  return run.start();
}
