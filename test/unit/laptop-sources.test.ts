/**
 * Laptop awareness: the pure rule, a fake /sys/class/power_supply tree
 * read by the daemon's source, and NetworkManager's Metered values.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deferCause, describeConditions } from '../../shared/laptop-rules';
import { parseMetered } from '../../electron/engine/laptop/nm-metered';
import { readSysfsPower } from '../../electron/engine/laptop/sysfs-power';
import { systemLaptopSource } from '../../electron/engine/laptop/laptop-source';

/** A power_supply tree: each entry a directory of one-line files. */
function sysfs(entries: Record<string, Record<string, string>>): string {
  const root = mkdtempSync(join(tmpdir(), 'burrow-power-'));
  for (const [name, files] of Object.entries(entries)) {
    mkdirSync(join(root, name));
    for (const [f, v] of Object.entries(files)) writeFileSync(join(root, name, f), `${v}\n`);
  }
  return root;
}

const AC = (online: string) => ({ type: 'Mains', online });
const BAT = (status: string, capacity: string, extra: Record<string, string> = {}) => ({ type: 'Battery', status, capacity, present: '1', ...extra });

describe('/sys/class/power_supply', () => {
  it('a laptop unplugged: on battery, with the charge', async () => {
    expect(await readSysfsPower(sysfs({ AC: AC('0'), BAT0: BAT('Discharging', '47') }))).toEqual({ onBattery: true, percent: 47 });
  });

  it('plugged in (charging or full): not on battery', async () => {
    expect(await readSysfsPower(sysfs({ AC: AC('1'), BAT0: BAT('Charging', '80') }))).toEqual({ onBattery: false, percent: 80 });
    expect(await readSysfsPower(sysfs({ ADP1: { type: 'USB', online: '1' }, BAT0: BAT('Full', '100') }))).toMatchObject({ onBattery: false });
  });

  it('two batteries count by energy; a wireless mouse battery does not count', async () => {
    const root = sysfs({
      AC: AC('0'),
      BAT0: BAT('Discharging', '90', { energy_now: '45000000', energy_full: '50000000' }),
      BAT1: BAT('Discharging', '10', { energy_now: '2000000', energy_full: '20000000' }),
      hidpp_battery_0: { type: 'Battery', scope: 'Device', status: 'Discharging', capacity: '5' },
    });
    expect(await readSysfsPower(root)).toEqual({ onBattery: true, percent: 67.1 });
  });

  it('no charger entry: the battery status decides; no battery or no tree: nothing to report', async () => {
    expect(await readSysfsPower(sysfs({ BAT0: BAT('Discharging', '30') }))).toEqual({ onBattery: true, percent: 30 });
    expect(await readSysfsPower(sysfs({ AC: AC('1') }))).toBeUndefined();
    expect(await readSysfsPower('/nonexistent/power_supply')).toBeUndefined();
  });

  it("the daemon's source reads the tree on Linux and knows nothing elsewhere", async () => {
    const root = sysfs({ AC: AC('0'), BAT0: BAT('Discharging', '12') });
    expect(await systemLaptopSource('linux', root).power()).toEqual({ onBattery: true, percent: 12 });
    expect(await systemLaptopSource('darwin', root).power()).toBeUndefined();
    expect(await systemLaptopSource('win32').metered()).toBeUndefined();
  });
});

describe('NetworkManager Metered', () => {
  it('yes and guess-yes are metered; no and guess-no are not; unknown or garbage is unknown', () => {
    expect(['u 1', 'u 3', 'u 2', 'u 4', 'u 0', '', 'Failed to connect to bus'].map(parseMetered)).toEqual([
      true,
      true,
      false,
      false,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('the rule', () => {
  const job = (onBattery: 'run' | 'defer', onMetered: 'run' | 'defer', minBatteryPercent = 0) => ({ onBattery, onMetered, minBatteryPercent });
  it('defers on battery, below the minimum charge, or on a metered network, each with its own cause', () => {
    expect(deferCause(job('defer', 'run'), { power: { onBattery: true, percent: 90 } })).toBe('deferred-battery');
    expect(deferCause(job('run', 'run', 20), { power: { onBattery: true, percent: 8 } })).toBe('deferred-low-battery');
    expect(deferCause(job('run', 'run', 20), { power: { onBattery: true, percent: 21 } })).toBeUndefined();
    expect(deferCause(job('run', 'run', 20), { power: { onBattery: false, percent: 8 } })).toBeUndefined();
    expect(deferCause(job('run', 'defer'), { metered: true })).toBe('deferred-metered');
    expect(deferCause(job('defer', 'defer'), {})).toBeUndefined();
    expect(describeConditions('deferred-low-battery', { power: { onBattery: true, percent: 8 } })).toBe('on battery below its minimum (8 %)');
  });
});
