/**
 * Notices, while a run is in flight, that the laptop slept or that Burrow's
 * process stood still (stopped, frozen): a look every second at both clocks.
 * When the laptop sleeps, wall time moves on while monotonic time does not;
 * when the process is stopped (SIGSTOP, a frozen VM), monotonic time moves on
 * with no look taken. Either gap beyond `stallMs` is a stall. The run then
 * asks its connections whether they survived, and a failure that follows a
 * stall is put down to it (see backup-run.ts). Time comes from the injected
 * clock; `check()` is also called directly, so a failure noticed before the
 * next look still sees the gap.
 */
import type { Clock } from '../../shared/clock';

/** A gap in the run's life. */
export interface Stall {
  /** How long the run stood still, wall time (slept) or monotonic time (stopped). */
  ms: number;
  /** `slept`: wall time jumped ahead of monotonic time; `stopped`: no look was taken for that long. */
  how: 'slept' | 'stopped';
  /** Monotonic time when the gap ended. */
  endedAtMono: number;
}

export interface SleepWatchOptions {
  /** How often to look (default 1 s). */
  intervalMs?: number;
  /** A gap longer than this is a stall (default 5 s: far beyond any pause of the event loop Burrow makes). */
  stallMs?: number;
}

export class SleepWatch {
  private lastMono: number;
  private lastWall: number;
  private timer?: NodeJS.Timeout;
  /** The latest stall seen. */
  last?: Stall;
  private readonly intervalMs: number;
  private readonly stallMs: number;

  constructor(
    private readonly clock: Clock,
    opts: SleepWatchOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 1000;
    this.stallMs = opts.stallMs ?? 5000;
    this.lastMono = clock.monotonicMs();
    this.lastWall = clock.now().getTime();
  }

  /** Compares both clocks with the last look; returns the stall that ended now, if there was one. */
  check(): Stall | undefined {
    const mono = this.clock.monotonicMs();
    const wall = this.clock.now().getTime();
    const monoGap = mono - this.lastMono;
    const wallGap = wall - this.lastWall;
    this.lastMono = mono;
    this.lastWall = wall;
    const sleptMs = wallGap - monoGap;
    if (sleptMs > this.stallMs) return (this.last = { ms: wallGap, how: 'slept', endedAtMono: mono });
    if (monoGap > this.stallMs) return (this.last = { ms: monoGap, how: 'stopped', endedAtMono: mono });
    return undefined;
  }

  /** A stall that ended at most `withinMs` ago (monotonic), looking once more first. */
  recent(withinMs: number): Stall | undefined {
    this.check();
    return this.last && this.clock.monotonicMs() - this.last.endedAtMono <= withinMs ? this.last : undefined;
  }

  /** Looks every intervalMs until stop(); `onStall` hears each stall. The timer never keeps the process alive. */
  start(onStall: (stall: Stall) => void): void {
    this.stop();
    this.timer = setInterval(() => {
      const stall = this.check();
      if (stall) onStall(stall);
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** "2 h", "42 s": how long a stall was, for messages. */
export function stallLength(ms: number): string {
  if (ms >= 2 * 3_600_000) return `${Math.round(ms / 3_600_000)} h`;
  if (ms >= 120_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 1000)} s`;
}
