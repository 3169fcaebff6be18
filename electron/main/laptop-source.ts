/**
 * The tray app's laptop source: Electron's powerMonitor says whether the
 * laptop runs on battery (on every platform); the charge and the metered
 * network come from the engine's Linux readers (sysfs, NetworkManager) and
 * are unknown elsewhere.
 */
import type { PowerMonitor } from 'electron';
import { systemLaptopSource, type LaptopSource } from '../engine/laptop/laptop-source';

export function electronLaptopSource(powerMonitor: Pick<PowerMonitor, 'isOnBatteryPower'>): LaptopSource {
  const system = systemLaptopSource();
  return {
    power: async () => {
      const percent = (await system.power())?.percent;
      return { onBattery: powerMonitor.isOnBatteryPower(), ...(percent !== undefined ? { percent } : {}) };
    },
    metered: () => system.metered(),
  };
}
