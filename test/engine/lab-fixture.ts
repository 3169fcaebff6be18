/**
 * One lab for a test file: started before its tests, stopped after them,
 * with the directories most tests use (the source's data and holding dirs,
 * the destination's backups).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startLab, type Lab, type LabOptions } from '../../electron/lab/lab';
import { writeSampleTree } from './fixtures';

export interface LabFixture {
  lab: Lab;
  /** The source's data dir; a job's paths are below it. */
  data: string;
  holding: string;
  /** The destination's backup dir. */
  backups: string;
}

/** Registers the lab's start and stop in the current file; its fields are set once the lab is up. */
export function useLab(opts?: LabOptions): LabFixture {
  const f = {} as LabFixture;
  beforeAll(async () => {
    f.lab = await startLab(opts);
    f.data = join(f.lab.source.home, 'data');
    f.holding = join(f.lab.source.home, 'holding');
    f.backups = join(f.lab.destination.home, 'backups');
  });
  afterAll(() => f.lab?.stop());
  return f;
}

/** Both hosts up again, the three dirs emptied, and a sample tree (its seed) in data/projects. */
export async function resetLab(f: LabFixture, seed = 1): Promise<void> {
  await f.lab.source.start();
  await f.lab.destination.start();
  for (const d of [f.data, f.holding, f.backups]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
  }
  writeSampleTree(join(f.data, 'projects'), seed);
  await f.lab.source.own(f.data);
  await f.lab.source.own(f.holding);
  await f.lab.destination.own(f.backups);
}
