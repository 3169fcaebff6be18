/**
 * Where the engine learns the laptop's state: injected, so tests (and the
 * Electron shell, with powerMonitor) can bring their own. Headless on Linux
 * it is /sys/class/power_supply and NetworkManager; elsewhere nothing is
 * known and every run goes ahead.
 */
import type { JobConfig } from '../../../shared/config-schema';
import { deferCause, hasLaptopRules, needsMetered, type DeferCause, type LaptopConditions, type PowerState } from '../../../shared/laptop-rules';
import { readNetworkManagerMetered } from './nm-metered';
import { readSysfsPower } from './sysfs-power';

export interface LaptopSource {
  power(): Promise<PowerState | undefined>;
  metered(): Promise<boolean | undefined>;
}

/** The daemon's and `burrow serve`'s source: sysfs and NetworkManager on Linux, nothing elsewhere. */
export function systemLaptopSource(platform: NodeJS.Platform = process.platform, powerRoot?: string): LaptopSource {
  if (platform !== 'linux') return { power: async () => undefined, metered: async () => undefined };
  return { power: () => readSysfsPower(powerRoot), metered: () => readNetworkManagerMetered() };
}

/** Reads only what the job's rules need; a source that throws counts as unknown. */
export async function laptopConditions(job: JobConfig, source: LaptopSource): Promise<LaptopConditions> {
  if (!hasLaptopRules(job)) return {};
  const power = job.onBattery === 'defer' || job.minBatteryPercent > 0 ? await source.power().catch(() => undefined) : undefined;
  const metered = needsMetered(job) ? await source.metered().catch(() => undefined) : undefined;
  return { power, metered };
}

/** Why the job waits now, with the conditions it saw. */
export async function checkLaptop(job: JobConfig, source: LaptopSource): Promise<{ cause?: DeferCause; conditions: LaptopConditions }> {
  const conditions = await laptopConditions(job, source);
  const cause = deferCause(job, conditions);
  return cause ? { cause, conditions } : { conditions };
}
