/**
 * Laptop awareness, as a pure rule: whether a job's scheduled or catch-up
 * run waits because of the laptop's power or network, and why. What the
 * laptop reports comes from injected sources (Electron's powerMonitor,
 * /sys/class/power_supply, NetworkManager); unknown means "run".
 */
import type { JobConfig } from './config-schema';
import type { MissedCause } from './missed-slots';

export interface PowerState {
  /** Running on battery: no charger online. */
  onBattery: boolean;
  /** The system battery's charge in percent, when it is known. */
  percent?: number;
}

export interface LaptopConditions {
  /** Undefined where nothing reports it (a desktop, a server): treated as mains power. */
  power?: PowerState | undefined;
  /** Undefined where nothing reports it (no NetworkManager): treated as not metered. */
  metered?: boolean | undefined;
}

export type DeferCause = Extract<MissedCause, 'deferred-battery' | 'deferred-low-battery' | 'deferred-metered'>;

export type LaptopRules = Pick<JobConfig, 'onBattery' | 'onMetered' | 'minBatteryPercent'>;

/** Whether the job asks anything of the laptop at all (otherwise nothing needs reading). */
export function hasLaptopRules(job: LaptopRules): boolean {
  return job.onBattery === 'defer' || job.onMetered === 'defer' || job.minBatteryPercent > 0;
}

/** Whether the job needs the network's metered state. */
export function needsMetered(job: LaptopRules): boolean {
  return job.onMetered === 'defer';
}

/** Why the job's run waits now, or undefined when it runs. */
export function deferCause(job: LaptopRules, c: LaptopConditions): DeferCause | undefined {
  if (c.power?.onBattery) {
    if (job.onBattery === 'defer') return 'deferred-battery';
    if (job.minBatteryPercent > 0 && c.power.percent !== undefined && c.power.percent < job.minBatteryPercent) return 'deferred-low-battery';
  }
  if (c.metered === true && job.onMetered === 'defer') return 'deferred-metered';
  return undefined;
}

/** One line on why, for logs and the Run now warning: "on battery (12 %)", "on a metered network". */
export function describeConditions(cause: DeferCause, c: LaptopConditions): string {
  const pct = c.power?.percent !== undefined ? ` (${Math.round(c.power.percent)} %)` : '';
  if (cause === 'deferred-metered') return 'on a metered network';
  if (cause === 'deferred-low-battery') return `on battery below its minimum${pct}`;
  return `on battery${pct}`;
}
