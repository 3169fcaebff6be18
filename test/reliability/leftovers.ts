/**
 * What the pivot's faults may leave behind, looked for after the next
 * successful run: a half-written archive in the holding dir, a Burrow
 * temporary directory of the user on the source, rsync's delay-updates
 * directory or a half-sent snapshot day at the destination, a listener on
 * the source; and whether the destination holds exactly what retention keeps.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { LabFixture } from '../engine/lab-fixture';

/** Every path below `dir` whose name matches, relative to `dir`. */
function findNames(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      if (re.test(name)) out.push(r);
      if (statSync(full, { throwIfNoEntry: false })?.isDirectory()) walk(full, r);
    }
  };
  walk(dir, '');
  return out;
}

export interface LeftoverCheck {
  /** The destination's backups as retention keeps them: archive names, or a snapshot job's days. */
  expected: string[];
  /** A snapshot job's name (its days are below backups/<job>); absent for archives. */
  snapshotJob?: string;
}

/** Asserts that nothing of an interrupted run is left anywhere, and that the destination holds `expected`. Returns what it looked at, in words. */
export async function expectNoLeftovers(setup: LabFixture, check: LeftoverCheck): Promise<string> {
  const { lab, holding, backups } = setup;
  expect(findNames(holding, /\.partial\./), 'half-written archives in the holding dir').toEqual([]);
  expect(findNames(join(lab.source.home, 'tmp'), /^burrow\./), 'Burrow temporary dirs of the user on the source (its TMPDIR)').toEqual([]);
  expect(findNames(backups, /^\.~tmp~$|^\.\d{4}-\d\d-\d\d\.(partial|replaced)$/), "rsync's .~tmp~ or a half-sent day at the destination").toEqual([]);
  expect(await lab.source.listeningPorts(), 'listeners on the source besides sshd').toEqual([lab.source.port]);
  const held = check.snapshotJob
    ? readdirSync(join(backups, check.snapshotJob)).filter((n) => /^\d{4}-\d\d-\d\d$/.test(n))
    : readdirSync(backups).filter((n) => !n.startsWith('.'));
  expect(held.sort(), 'what the destination holds').toEqual([...check.expected].sort());
  return `afterwards no .partial, no burrow.* temporary dir, no .~tmp~ or .DAY.partial, no listener; the destination holds ${held.length} backup(s), as retention keeps`;
}
