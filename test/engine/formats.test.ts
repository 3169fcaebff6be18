/**
 * Both storage formats against the lab: archives with each compressor
 * restore byte for byte, and snapshots are complete trees whose unchanged
 * files are hard links to the previous day's, with owners and modes kept at
 * a non-root destination and put back by a restore through the tunnel.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dateStamp } from '../../shared/archive-names';
import { ManualClock } from '../../shared/clock';
import { restoreBackup } from '../../electron/engine/archives';
import { Engine } from '../../electron/engine/engine';
import { startLab, type Lab } from '../../electron/lab/lab';
import { accessOf, day, extract, labConfig, snapshotTree, visible, writeSampleTree } from './fixtures';

let lab: Lab;
let data: string;
let backups: string;

beforeAll(async () => {
  lab = await startLab();
  data = join(lab.source.home, 'data');
  backups = join(lab.destination.home, 'backups');
});
afterAll(() => lab?.stop());
beforeEach(async () => {
  for (const d of [data, join(lab.source.home, 'holding'), backups, join(lab.source.home, 'restored')]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
  }
  writeSampleTree(join(data, 'projects'), 1, 200_000);
  writeSampleTree(join(data, "bob's files"), 2);
  for (const d of [data, join(lab.source.home, 'holding'), join(lab.source.home, 'restored')]) await lab.source.own(d);
  await lab.destination.own(backups);
});

async function engine(job: Record<string, unknown>, clock: ManualClock): Promise<Engine> {
  return Engine.open({
    config: labConfig(lab, { paths: [join(data, 'projects'), join(data, "bob's files")], ...job }),
    stateDir: join(lab.dir, `state-${Math.random()}`),
    clock,
  });
}

/** A tree as its content and modes (owners differ once a non-root user restores it). */
const contentAndModes = (dir: string) => Object.fromEntries(Object.entries(snapshotTree(dir)).map(([k, v]) => [k, { ...v, uid: 0 }]));

describe('archive format', () => {
  it.each([
    ['gzip', 'gz'],
    ['zstd', 'zst'],
  ])('%s archives (rsyncable) restore byte for byte with permissions', async (compression, ext) => {
    const e = await engine({ compression }, new ManualClock(day(0)));
    const run = await e.runNow('daily');
    expect(run.error).toBeUndefined();
    const name = `projects.${dateStamp(day(0))}.tar.${ext}`;
    expect(visible(backups)).toContain(name);
    const out = join(lab.dir, `x-${compression}`);
    extract(join(backups, name), out);
    expect(snapshotTree(join(out, 'projects'))).toEqual(snapshotTree(join(data, 'projects')));
    expect(run.steps.find((s) => s.name === 'transfer')?.command).toContain('--fuzzy');
  });
});

describe('snapshot format', () => {
  it('keeps each day as a complete tree, unchanged files hard-linked to the previous day, owners kept in xattrs', async () => {
    const clock = new ManualClock(day(0));
    const e = await engine({ format: 'snapshot' }, clock);
    const first = await e.runNow('daily');
    expect(first.error).toBeUndefined();
    expect(first.steps.find((s) => s.name === 'pack')?.status).toBe('skipped');
    appendFileSync(join(data, 'projects', 'README'), 'changed on day 1\n');
    clock.set(day(1));
    const second = await e.runNow('daily');
    expect(second.error).toBeUndefined();
    expect(second.snapshot).toEqual({ name: '2026-11-27', linkedTo: '2026-11-26' });

    const root = join(backups, 'daily');
    expect(visible(root)).toEqual(['2026-11-26', '2026-11-27']);
    const d0 = join(root, '2026-11-26', 'projects');
    const d1 = join(root, '2026-11-27', 'projects');
    // --fake-super keeps a symlink as a small file holding its target (restore makes it a link again).
    const source = contentAndModes(join(data, 'projects'));
    const atDest = contentAndModes(d1);
    expect(atDest.link).toMatchObject({ type: 'file', sha256: createHash('sha256').update('sub/data.bin').digest('hex') });
    delete source.link;
    delete atDest.link;
    expect(atDest).toEqual(source);
    expect(statSync(join(d1, 'sub', 'data.bin')).ino).toBe(statSync(join(d0, 'sub', 'data.bin')).ino);
    expect(statSync(join(d1, 'secret')).ino).toBe(statSync(join(d0, 'secret')).ino);
    expect(statSync(join(d1, 'README')).ino).not.toBe(statSync(join(d0, 'README')).ino);
    // The destination user is not root: the source's owner and mode live in rsync's xattr.
    const stored = execFileSync('getfattr', ['--only-values', '-n', 'user.rsync.%stat', join(d1, 'secret')]).toString();
    expect(stored).toMatch(new RegExp(`^100600 0,0 ${lab.source.uid}:${lab.source.gid}$`));
    expect(second.transfer!.bytesSent).toBeLessThan(first.transfer!.bytesSent / 2);
  });

  it('restores a snapshot onto the source through the tunnel, byte for byte with modes, never over existing data', async () => {
    const e = await engine({ format: 'snapshot' }, new ManualClock(day(0)));
    expect((await e.runNow('daily')).error).toBeUndefined();
    const into = join(lab.source.home, 'restored');
    const job = e.config.jobs[0]!;
    const r = await restoreBackup(accessOf(e), job, { backup: '2026-11-26', toSource: into });
    expect(r.path).toBe(into);
    expect(r.paths.sort()).toEqual(["bob's files", 'projects']);
    for (const base of ['projects', "bob's files"]) {
      expect(contentAndModes(join(r.path, base))).toEqual(contentAndModes(join(data, base)));
    }
    expect(r.checked).toBeGreaterThan(0);
    const again = await restoreBackup(accessOf(e), job, { backup: '2026-11-26', toSource: into }).catch((err: Error) => err);
    expect((again as Error).message).toContain('already exist: not overwritten');
  });

  it('refuses an empty source directory instead of snapshotting nothing, and prunes old snapshots by retention only', async () => {
    const clock = new ManualClock(day(0));
    const e = await engine({ format: 'snapshot', keepDays: 2 }, clock);
    for (let n = 0; n <= 4; n++) {
      clock.set(day(n));
      expect((await e.runNow('daily')).error).toBeUndefined();
    }
    expect(visible(join(backups, 'daily'))).toEqual(['2026-11-28', '2026-11-29', '2026-11-30']);
    rmSync(join(data, "bob's files"), { recursive: true });
    mkdirSync(join(data, "bob's files"));
    await lab.source.own(data);
    clock.set(day(5));
    const refused = await e.runNow('daily');
    expect(refused.error).toMatchObject({ kind: 'delete-guard', step: 'guard' });
    expect(refused.error!.message).toContain('empty directory');
    expect(visible(join(backups, 'daily'))).toEqual(['2026-11-28', '2026-11-29', '2026-11-30']);
  });
});
