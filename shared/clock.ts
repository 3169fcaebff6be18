/**
 * Time, injected: the engine never reads the clock directly, so tests can
 * replay days in milliseconds. Two clocks, as the OS has them: wall time
 * (jumps when the clock is set or the laptop wakes up) and monotonic time
 * (only moves while the process runs; it stands still during sleep).
 */
export interface Clock {
  now(): Date;
  /** Milliseconds on a clock that never jumps and does not count sleep. */
  monotonicMs(): number;
}

export const systemClock: Clock = {
  now: () => new Date(),
  monotonicMs: () => performance.now(),
};

/** A clock that stays where it is put; for tests and simulations. */
export class ManualClock implements Clock {
  private wall: number;
  private mono = 0;
  constructor(start: Date | string | number) {
    this.wall = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.wall);
  }
  monotonicMs(): number {
    return this.mono;
  }
  /** Time passes normally: both clocks move. */
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
  /** Sleep, or the clock being set: wall time moves, monotonic time does not. */
  jump(ms: number): void {
    this.wall += ms;
  }
  /** Sets wall time only (a jump to a given moment). */
  set(to: Date | string | number): void {
    this.wall = new Date(to).getTime();
  }
}
