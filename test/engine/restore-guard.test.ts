/**
 * Restore, verify and the guard in front of --delete, against the lab:
 * round trips to the laptop and back onto the source through the tunnel, an
 * emptied holding dir, an unmounted destination, mass deletion, destination
 * retention, and a flipped byte found by verify.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync, readSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { dateStamp } from '../../shared/archive-names';
import { ManualClock } from '../../shared/clock';
import type { EngineEvent } from '../../shared/engine-events';
import { listBackups, restoreBackup, verifyBackups } from '../../electron/engine/archives';
import { Engine } from '../../electron/engine/engine';
import { accessOf, day, extract, labConfig, listing, snapshotTree, visible, writeSampleTree } from './fixtures';
import { resetLab, useLab } from './lab-fixture';

const setup = useLab();

let state: string;
beforeEach(async () => {
  await resetLab(setup);
  const restored = join(setup.lab.source.home, 'restored');
  rmSync(restored, { recursive: true, force: true });
  mkdirSync(restored, { recursive: true });
  await setup.lab.source.own(restored);
  state = join(setup.lab.dir, `state-${Math.random().toString(16).slice(2)}`);
});

async function engineAt(clock: ManualClock, job: Record<string, unknown> = {}, events: EngineEvent[] = []): Promise<Engine> {
  const engine = await Engine.open({ config: labConfig(setup.lab, job), stateDir: state, clock });
  engine.on('event', (e) => events.push(e));
  return engine;
}

describe('restore', () => {
  it('round trip for two dates: every byte and permission back on the laptop and back on the source through the tunnel', async () => {
    const clock = new ManualClock(day(0));
    const engine = await engineAt(clock);
    expect((await engine.runNow('daily')).status).toBe('succeeded');
    const day0 = snapshotTree(join(setup.data, 'projects'));
    writeSampleTree(join(setup.data, 'projects', 'later'), 2);
    await setup.lab.source.own(setup.data);
    clock.set(day(1));
    expect((await engine.runNow('daily')).status).toBe('succeeded');
    const day1 = snapshotTree(join(setup.data, 'projects'));
    const { config } = engine;
    const job = config.jobs[0]!;

    for (const [n, expected] of [
      [0, day0],
      [1, day1],
    ] as const) {
      const archive = `projects.${dateStamp(day(n))}.tar.bz2`;
      const laptop = join(setup.lab.dir, `laptop-restore-${n}`);
      const got = await restoreBackup(accessOf(engine), job, { backup: archive, toLaptop: laptop, extract: true });
      expect(got.extractedTo).toBe(join(laptop, `projects.${dateStamp(day(n))}`));
      expect(snapshotTree(join(got.extractedTo!, 'projects'))).toEqual(expected);

      const onSource = join(setup.lab.source.home, 'restored');
      const back = await restoreBackup(accessOf(engine), job, { backup: archive, toSource: onSource, extract: true });
      expect(back.path).toBe(join(onSource, archive));
      expect(back.sha256).toBe(got.sha256);
      const unpacked = join(setup.lab.dir, `source-restore-${n}`);
      extract(back.path, unpacked);
      expect(snapshotTree(join(unpacked, 'projects'))).toEqual(expected);
      expect(snapshotTree(join(back.extractedTo!, 'projects'))).toEqual(
        // unpacked on the source as its (non-root) user: owners become that user's
        Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, { ...v, uid: setup.lab.source.uid }])),
      );
    }
    // Never over existing data without --in-place.
    const again = await restoreBackup(accessOf(engine), job, {
      backup: `projects.${dateStamp(day(0))}.tar.bz2`,
      toLaptop: join(setup.lab.dir, 'laptop-restore-0'),
    }).catch((e: Error) => e);
    expect(again).toBeInstanceOf(Error);
  });

  it('lists archives with where they exist and whether they were verified', async () => {
    const clock = new ManualClock(day(0));
    const engine = await engineAt(clock);
    expect((await engine.runNow('daily')).status).toBe('succeeded');
    const rows = await listBackups(accessOf(engine), engine.config.jobs[0]!);
    expect(rows).toEqual([
      expect.objectContaining({
        name: '2026-11-26',
        format: 'archive',
        atDestination: true,
        atSource: true,
        verified: 'at transfer',
        archives: [expect.objectContaining({ name: `projects.${dateStamp(day(0))}.tar.bz2` })],
      }),
    ]);
  });
});

describe('the delete guard', () => {
  it('refuses an emptied holding dir with a clear message, and the destination is unchanged', async () => {
    const engine = await engineAt(new ManualClock(day(0)), { pack: false });
    execFileSync('tar', ['-cjf', join(setup.holding, `projects.${dateStamp(day(0))}.tar.bz2`), '-C', setup.data, 'projects']);
    await setup.lab.source.own(setup.holding);
    expect((await engine.runNow('daily')).status).toBe('succeeded');
    const before = listing(setup.backups);
    rmSync(join(setup.holding, `projects.${dateStamp(day(0))}.tar.bz2`));
    const run = await engine.runNow('daily');
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ kind: 'delete-guard', step: 'guard' });
    expect(run.error!.message).toContain('holds no archives');
    expect(listing(setup.backups)).toEqual(before);
  });

  it('refuses when the destination marker is missing (an unmounted NFS dir), writing nothing', async () => {
    const engine = await engineAt(new ManualClock(day(0)));
    expect((await engine.runNow('daily')).status).toBe('succeeded');
    rmSync(setup.backups, { recursive: true });
    mkdirSync(setup.backups); // the empty mount point
    await setup.lab.destination.own(setup.backups);
    const run = await engine.runNow('daily');
    expect(run.error).toMatchObject({ kind: 'destination-marker', step: 'guard' });
    expect(run.error!.message).toMatch(/is the backup volume \(NFS\) mounted\?/);
    expect(listing(setup.backups)).toEqual({});
  });

  it('refuses to delete more than retention explains, naming the files; --dry-run shows the list and changes nothing', async () => {
    const clock = new ManualClock(day(0));
    const events: EngineEvent[] = [];
    const engine = await engineAt(clock, {}, events);
    for (let n = -5; n <= 0; n++) {
      clock.set(day(n));
      expect((await engine.runNow('daily')).status).toBe('succeeded');
    }
    const lost = [-5, -4, -3].map((n) => `projects.${dateStamp(day(n))}.tar.bz2`);
    for (const f of lost) rmSync(join(setup.holding, f)); // someone "cleaned up" the holding dir
    const before = listing(setup.backups);

    const plan = await engine.runNow('daily', 'manual', { dryRun: true });
    expect(plan.plan?.deleteAtDestination).toEqual(lost);
    expect(plan.error?.kind).toBe('delete-guard');
    expect(listing(setup.backups)).toEqual(before);

    const run = await engine.runNow('daily');
    expect(run.error).toMatchObject({ kind: 'delete-guard', step: 'guard' });
    for (const f of lost) expect(run.error!.message).toContain(f);
    expect(events.find((e) => e.type === 'delete-guard')).toMatchObject({ files: lost });
    expect(listing(setup.backups)).toEqual(before);
  });

  it('a dry run reports what would be packed, pruned, sent and deleted, and changes nothing', async () => {
    const clock = new ManualClock(day(-30));
    const engine = await engineAt(clock);
    expect((await engine.runNow('daily')).status).toBe('succeeded');
    clock.set(day(0));
    const before = { src: listing(setup.holding), dst: listing(setup.backups) };
    const dry = await engine.runNow('daily', 'manual', { dryRun: true });
    expect(dry.status).toBe('succeeded');
    expect(dry.plan).toEqual({
      pack: [`projects.${dateStamp(day(0))}.tar.bz2`],
      pruneSource: [`projects.${dateStamp(day(-30))}.tar.bz2`],
      send: [`projects.${dateStamp(day(0))}.tar.bz2`],
      deleteAtDestination: [`projects.${dateStamp(day(-30))}.tar.bz2`],
    });
    expect(dry.steps.find((s) => s.name === 'tunnel')).toMatchObject({ status: 'skipped', detail: 'dry run' });
    expect({ src: listing(setup.holding), dst: listing(setup.backups) }).toEqual(before);
    expect(engine.history.listRuns()).toHaveLength(1);
  });

  it('with its own retention, the destination keeps more than the source, pruned in its own step', async () => {
    const clock = new ManualClock(day(0));
    const engine = await engineAt(clock, { keepDays: 2, destination: { host: 'destination', path: setup.backups, retention: { keepDaily: 4 } } });
    for (let n = 0; n <= 6; n++) {
      clock.set(day(n));
      const r = await engine.runNow('daily');
      expect(r.error).toBeUndefined();
    }
    expect(visible(setup.holding)).toEqual([4, 5, 6].map((n) => `projects.${dateStamp(day(n))}.tar.bz2`));
    expect(visible(setup.backups)).toEqual([3, 4, 5, 6].map((n) => `projects.${dateStamp(day(n))}.tar.bz2`));
    const last = engine.history.getRun(engine.history.listRuns({ limit: 1 })[0]!.id)!;
    expect(last.prunedAtDestination).toEqual([`projects.${dateStamp(day(2))}.tar.bz2`]);
    expect(last.transfer?.deleted).toEqual([]);
  });
});

describe('verify', () => {
  it('finds a flipped byte in a destination archive and records it in history', async () => {
    const engine = await engineAt(new ManualClock(day(0)));
    expect((await engine.runNow('daily')).status).toBe('succeeded');
    const { config } = engine;
    const good = await verifyBackups(accessOf(engine), config.jobs[0]!, { all: true });
    expect(good).toEqual([expect.objectContaining({ ok: true, problems: [] })]);

    const path = join(setup.backups, `projects.${dateStamp(day(0))}.tar.bz2`);
    const fd = openSync(path, 'r+');
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, 500);
    b[0] = b[0]! ^ 0x10;
    writeSync(fd, b, 0, 1, 500);
    closeSync(fd);
    const bad = await verifyBackups(accessOf(engine), config.jobs[0]!, { all: true });
    expect(bad[0]!.ok).toBe(false);
    expect(bad[0]!.problems.join(' ')).toMatch(/corrupt|differs from/);
    expect(engine.history.verifications('daily').get(`projects.${dateStamp(day(0))}.tar.bz2`)?.ok).toBe(false);
    expect(engine.history.verifyRuns('daily').map((v) => v.results[0]!.ok)).toEqual([false, true]);
    const rows = await listBackups(accessOf(engine), config.jobs[0]!);
    expect(rows[0]!.verified).toBe('failed');
  });
});
