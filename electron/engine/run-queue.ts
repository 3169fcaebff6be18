/**
 * Places to run: at most `maxRuns` backups at once, and at most one per
 * source host (two jobs on one host would fight over its disk and its
 * sshd). Scheduled runs wait here, first come first served, skipping one
 * whose host is busy so it does not hold up the others; a run started by
 * hand takes its place at once and counts against the limit. Plain data,
 * no timers: the scheduler's clock stamps the entries.
 */
import type { QueuedRun } from '../../shared/engine-events';
import type { RunTrigger } from '../../shared/run-types';

interface Waiting {
  job: string;
  host: string;
  trigger: RunTrigger;
  slot?: string;
  since: string;
  start(granted: Granted): void;
}

/** What a wait ends with: a place (for the slot the run now stands for), or nothing when the queue was dropped. */
export type Granted = { ok: true; slot?: string } | { ok: false };

export class RunQueue {
  private readonly waiting: Waiting[] = [];
  /** Job -> host of each run holding a place. */
  private readonly running = new Map<string, string>();
  /** The most runs that held places at once (for tests and the benchmark). */
  peak = 0;

  constructor(private readonly maxRuns: number) {}

  /**
   * Resolves once `job` holds a place (the caller must `release` it); while
   * it waits, `onQueued` hears how many are ahead of it.
   */
  acquire(entry: { job: string; host: string; trigger: RunTrigger; slot?: string; since: string }, onQueued: (ahead: number) => void): Promise<Granted> {
    if (this.waiting.length === 0 && this.free(entry.host)) {
      this.take(entry.job, entry.host);
      return Promise.resolve({ ok: true, ...(entry.slot ? { slot: entry.slot } : {}) });
    }
    const ahead = this.running.size + this.waiting.length;
    return new Promise<Granted>((start) => {
      this.waiting.push({ ...entry, start });
      onQueued(ahead);
      this.pump();
    });
  }

  /** Lets every waiting run go without a place (shutting down). */
  drop(): void {
    for (const w of this.waiting.splice(0)) w.start({ ok: false });
  }

  /** A run started by hand: holds a place now, whatever the limit. */
  occupy(job: string, host: string): void {
    if (!this.running.has(job)) this.take(job, host);
  }

  /** Frees a job's place and starts whoever can go next. Releasing twice is harmless. */
  release(job: string): void {
    if (this.running.delete(job)) this.pump();
  }

  /** The job holds a place or waits for one. */
  busy(job: string): boolean {
    return this.running.has(job) || this.waiting.some((w) => w.job === job);
  }

  isRunning(job: string): boolean {
    return this.running.has(job);
  }

  get runningCount(): number {
    return this.running.size;
  }

  /** A job's place in the queue, while it waits. */
  queued(job: string): QueuedRun | undefined {
    const i = this.waiting.findIndex((w) => w.job === job);
    if (i < 0) return undefined;
    const w = this.waiting[i]!;
    return { since: w.since, trigger: w.trigger, ahead: this.running.size + i, ...(w.slot ? { slot: w.slot } : {}) };
  }

  /** Slots (ISO) of the runs waiting for a job (not missed while they wait). */
  pendingSlots(job: string): Set<string> {
    return new Set(this.waiting.filter((w) => w.job === job && w.slot !== undefined).map((w) => w.slot!));
  }

  /**
   * A newer slot came while the job still waits for an older one: the waiting
   * run now stands for the newer slot; returns the older slot.
   */
  retarget(job: string, slot: string): string | undefined {
    const w = this.waiting.find((x) => x.job === job);
    if (!w || w.slot === undefined || w.slot === slot) return undefined;
    const old = w.slot;
    w.slot = slot;
    return old;
  }

  private free(host: string): boolean {
    if (this.running.size >= this.maxRuns) return false;
    for (const h of this.running.values()) if (h === host) return false;
    return true;
  }

  private take(job: string, host: string): void {
    this.running.set(job, host);
    this.peak = Math.max(this.peak, this.running.size);
  }

  private pump(): void {
    for (let i = 0; i < this.waiting.length && this.running.size < this.maxRuns;) {
      const w = this.waiting[i]!;
      if (this.free(w.host) && !this.running.has(w.job)) {
        this.waiting.splice(i, 1);
        this.take(w.job, w.host);
        w.start({ ok: true, ...(w.slot ? { slot: w.slot } : {}) });
      } else i++;
    }
  }
}
