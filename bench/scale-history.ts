/**
 * Histories of a given size for the scale benchmark, written through the
 * history store's own code (History.addAll, in batches) from the same
 * realistic generator the migration test uses: each run a "running" and a
 * final record, about 5.2 KB together, with failures, missed slots and their
 * catch-ups. Each lives in its own directory laid out as `burrow serve`
 * expects it (config/burrow/config.json, state/burrow/history.db).
 */
import { copyFileSync, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { History, type HistoryEntry } from '../electron/engine/state/history';
import { validateConfig, type BurrowConfig } from '../shared/config-schema';
import { historyEntries, jobName } from '../test/fixtures/history-gen';
import { farAwaySchedule } from './idle-cost';

export interface ScaleDir {
  dir: string;
  configPath: string;
  /** XDG_STATE_HOME for the commands. */
  stateHome: string;
  /** Burrow's state dir inside it. */
  stateDir: string;
  runs: number;
  jobs: number;
  historyMB: number;
  generateSeconds: number;
}

/** A config with `jobs` jobs on `jobs` hosts (200.0.0.x, never contacted: nothing is due while measured). */
export function scaleConfig(jobs: number, now: Date): BurrowConfig {
  const r = validateConfig({
    hosts: {
      ...Object.fromEntries(Array.from({ length: jobs }, (_, i) => [`src${i}`, { hostname: `src${i}.invalid`, user: 'backup' }])),
      dest: { hostname: 'dest.invalid', user: 'backup' },
    },
    jobs: Array.from({ length: jobs }, (_, i) => ({
      name: jobName(i),
      source: `src${i}`,
      paths: ['/srv/data'],
      holdingDir: '/var/BACKUPS',
      destination: { host: 'dest', path: `/backups/${jobName(i)}` },
      schedule: farAwaySchedule(now),
    })),
  });
  if (!r.ok) throw new Error(`bad bench config: ${JSON.stringify(r.problems.slice(0, 3))}`);
  return r.config;
}

/**
 * Marks every job checked up to `until` and writes a heartbeat whose last
 * beat was then: a start after it finds what a laptop off since `until`
 * would find (nothing, when `until` is a minute ago).
 */
export async function lastSeenAt(d: ScaleDir, until: Date): Promise<void> {
  const h = await History.open(d.stateDir);
  await h.addAll(Array.from({ length: d.jobs }, (_, i) => ({ t: 'checked' as const, job: jobName(i), until: until.toISOString() })));
  h.close();
  const beat = join(d.stateDir, 'heartbeat.json');
  writeFileSync(beat, JSON.stringify({ spans: [{ instance: 'bench', from: until.getTime() - 3_600_000, to: until.getTime() }] }));
  utimesSync(beat, until.getTime() / 1000, until.getTime() / 1000);
}

/** Writes a history of `runs` runs over `jobs` jobs, the newest about an hour ago. */
export async function makeHistory(root: string, runs: number, jobs: number, now: Date, say: (m: string) => void): Promise<ScaleDir> {
  const dir = join(root, `${runs}-${jobs}`);
  const stateHome = join(dir, 'state');
  const stateDir = join(stateHome, 'burrow');
  const configPath = join(dir, 'config', 'burrow', 'config.json');
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(join(dir, 'config', 'burrow'), { recursive: true });
  writeFileSync(configPath, JSON.stringify(scaleConfig(jobs, now), null, 2));
  // A day between rounds, or less when that would reach back more than ten years.
  const rounds = Math.ceil(runs / jobs);
  const roundMs = Math.min(86_400_000, Math.floor((10 * 365 * 86_400_000) / rounds));
  const start = new Date(now.getTime() - rounds * roundMs - 3_600_000);
  const t0 = performance.now();
  const h = await History.open(stateDir);
  let batch: HistoryEntry[] = [];
  let written = 0;
  for (const e of historyEntries({ runs, jobs, start, roundMs, seed: runs + jobs })) {
    batch.push(e);
    if (batch.length >= 2000) {
      await h.addAll(batch);
      written += batch.length;
      batch = [];
      if (written % 200_000 === 0) say(`  ${runs} runs / ${jobs} jobs: ${written} records written`);
    }
  }
  await h.addAll(batch);
  h.close();
  const d: ScaleDir = {
    dir,
    configPath,
    stateHome,
    stateDir,
    runs,
    jobs,
    historyMB: statSync(join(stateDir, 'history.db')).size / 1e6,
    generateSeconds: (performance.now() - t0) / 1000,
  };
  await lastSeenAt(d, new Date(now.getTime() - 60_000));
  return d;
}

/** A copy of a history in a directory of its own (the database is closed, so the file is whole). */
export function copyHistory(from: ScaleDir, root: string, name: string): ScaleDir {
  const dir = join(root, name);
  const to: ScaleDir = {
    ...from,
    dir,
    configPath: join(dir, 'config', 'burrow', 'config.json'),
    stateHome: join(dir, 'state'),
    stateDir: join(dir, 'state', 'burrow'),
  };
  mkdirSync(to.stateDir, { recursive: true });
  mkdirSync(join(dir, 'config', 'burrow'), { recursive: true });
  copyFileSync(from.configPath, to.configPath);
  copyFileSync(join(from.stateDir, 'history.db'), join(to.stateDir, 'history.db'));
  return to;
}
