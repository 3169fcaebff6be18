/**
 * Battery and charger state on Linux from /sys/class/power_supply (what
 * `upower` reads too): on battery when the system has a battery and no
 * charger (Mains, USB) is online; the charge is the system batteries'
 * energy together. Peripherals (a mouse's battery: scope Device) do not count.
 * A machine without a battery reports nothing (mains power).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PowerState } from '../../../shared/laptop-rules';

async function read(dir: string, name: string): Promise<string | undefined> {
  try {
    return (await readFile(join(dir, name), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

const CHARGERS = new Set(['Mains', 'USB', 'USB_C', 'USB_PD']);

const num = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);

export async function readSysfsPower(root = '/sys/class/power_supply'): Promise<PowerState | undefined> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return undefined;
  }
  let chargers = 0;
  let chargerOnline = false;
  let discharging = false;
  let now = 0;
  let full = 0;
  const capacities: number[] = [];
  let batteries = 0;
  for (const name of names.sort()) {
    const dir = join(root, name);
    const type = await read(dir, 'type');
    if (type === 'Battery') {
      if ((await read(dir, 'scope')) === 'Device') continue;
      batteries++;
      if ((await read(dir, 'status')) === 'Discharging') discharging = true;
      const eNow = num(await read(dir, 'energy_now')) ?? num(await read(dir, 'charge_now'));
      const eFull = num(await read(dir, 'energy_full')) ?? num(await read(dir, 'charge_full'));
      if (eNow !== undefined && eFull) {
        now += eNow;
        full += eFull;
      }
      const cap = num(await read(dir, 'capacity'));
      if (cap !== undefined) capacities.push(cap);
    } else if (type !== undefined && CHARGERS.has(type)) {
      chargers++;
      if ((await read(dir, 'online')) === '1') chargerOnline = true;
    }
  }
  if (batteries === 0) return undefined;
  const percent = full > 0 ? (100 * now) / full : capacities.length ? capacities.reduce((a, b) => a + b, 0) / capacities.length : undefined;
  // A charger online wins; without charger entries (some tablets), the battery's own status says.
  const onBattery = chargers > 0 ? !chargerOnline : discharging;
  return { onBattery, ...(percent !== undefined ? { percent: Math.round(percent * 10) / 10 } : {}) };
}
