/**
 * Sixty simulated days against the real lab, with an injected clock and a
 * random fault each day (laptop off, laptop slept mid-run, source down,
 * destination down, port taken, disk full, or none), driven exactly as the app drives the engine: a start-up
 * check, the 12:30 slot, and the periodic tick that runs catch-ups.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { ManualClock } from '../../shared/clock';
import { isArchiveName } from '../../shared/archive-names';
import { Engine } from '../../electron/engine/engine';
import { startLab, type Lab } from '../../electron/lab/lab';
import { labConfig, writeSampleTree } from '../engine/fixtures';
import { run } from '../../electron/lab/run';
import { scenario } from './report';
import { prng } from '../fixtures/prng';

const DAYS = 60;
const FAULTS = ['none', 'laptop-off', 'laptop-slept', 'source-down', 'destination-down', 'port-taken', 'disk-full'] as const;
type Fault = (typeof FAULTS)[number];

let lab: Lab;
const check = scenario('soak');

beforeAll(async () => {
  lab = await startLab();
  writeSampleTree(join(lab.source.home, 'data', 'projects'), 1);
  await lab.source.own(join(lab.source.home, 'data'));
  for (const d of [join(lab.source.home, 'holding'), join(lab.destination.home, 'backups')]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
  }
  await lab.source.own(join(lab.source.home, 'holding'));
  await lab.destination.own(join(lab.destination.home, 'backups'));
});
afterAll(() => lab?.stop());

const skipReason = process.getuid?.() === 0 ? undefined : 'needs root and the netns lab (a small disk is mounted at the destination)';
const at = (d: number, h: number, m = 0) => new Date(2026, 0, 5 + d, h, m); // from Monday 5 January 2026

check(
  '60-day soak with a random fault each day',
  'every slot ends as one run or one missed event; every missed slot is caught up; the destination holds every archive retention keeps',
  async (note) => {
    const random = prng(20261126);
    const state = join(lab.dir, 'soak-state');
    const disk = join(lab.destination.home, 'disk');
    const backups = join(disk, 'backups');
    const config = labConfig(lab, { keepDays: 7, tunnelPort: 9150, destination: { host: 'destination', path: backups } });
    const job = config.jobs[0]!;
    const clock = new ManualClock(at(0, 8));
    // On a laptop-slept day the lid closes as the slot's transfer starts: 20 minutes pass on the wall clock and
    // none on the monotonic one, and the laptop's connections to both hosts do not survive (reset, as sshd's
    // keepalives would have given up on them).
    let sleepsAtTransfer = false;
    const sleep = async (step: string) => {
      if (!sleepsAtTransfer || step !== 'transfer') return;
      sleepsAtTransfer = false;
      clock.jump(20 * 60_000);
      for (const h of [lab.source, lab.destination]) await run(['ss', '-K', 'dst', h.address, 'dport', '=', String(h.port)]);
    };
    const open = () => Engine.open({ config, stateDir: state, clock, backoff: { firstMs: 10 * 60_000, maxMs: 60 * 60_000 }, beforeStep: sleep });
    let engine = await open();
    await engine.scheduler.startUp();
    const holding = join(lab.source.home, 'holding');
    const tally: Record<Fault, number> = {
      none: 0,
      'laptop-off': 0,
      'laptop-slept': 0,
      'source-down': 0,
      'destination-down': 0,
      'port-taken': 0,
      'disk-full': 0,
    };
    // The destination's disk: a small tmpfs, mounted before its sshd (re)starts so
    // every sshd mount namespace (ip netns exec copies the mounts) has it; a
    // ballast file fills it on disk-full days.
    const sh = async (argv: string[]) => {
      const r = await run(argv);
      if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
    };
    mkdirSync(disk, { recursive: true });
    await sh(['mount', '-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', disk]);
    mkdirSync(backups);
    await lab.destination.own(disk);
    await lab.destination.kill();
    await lab.destination.start();
    const ballast = join(disk, 'ballast'); // beside the backups, on the same small disk
    let wasOff = false;

    for (let d = 0; d < DAYS; d++) {
      const fault: Fault = d === DAYS - 1 ? 'none' : FAULTS[Math.floor(random() * FAULTS.length)]!;
      tally[fault]++;
      if (fault === 'laptop-off') {
        wasOff = true; // no process at all that day
        continue;
      }
      clock.set(at(d, 9)); // overnight the laptop slept: the wall clock jumps, monotonic time does not
      if (wasOff) {
        // The laptop comes back: a new process, which looks for what it missed.
        engine = await open();
        await engine.scheduler.startUp();
        wasOff = false;
      }
      await engine.scheduler.tick(); // catch up what earlier days missed, if the hosts answer
      let release: (() => Promise<void>) | undefined;
      if (fault === 'source-down') await lab.source.kill();
      if (fault === 'destination-down') await lab.destination.kill();
      if (fault === 'port-taken') release = await lab.source.occupyPort(9150);
      if (fault === 'disk-full') await run(['sh', '-c', `head -c 40000000 /dev/zero > ${ballast} 2>/dev/null; true`]);
      clock.set(at(d, 12, 30));
      sleepsAtTransfer = fault === 'laptop-slept';
      await engine.scheduler.onSlot(job, at(d, 12, 30));
      sleepsAtTransfer = false;
      // The fault clears; the afternoon's ticks catch up.
      await lab.source.start();
      await lab.destination.start();
      await release?.();
      if (fault === 'disk-full') rmSync(ballast, { force: true });
      for (const h of [13, 15, 18]) {
        clock.set(at(d, h));
        await engine.scheduler.tick();
      }
      // Invariant: the destination holds every archive the source's retention still keeps.
      const atSource = readdirSync(holding).filter(isArchiveName);
      const atDest = new Set(readdirSync(backups));
      const lastRun = engine.history.listRuns({ limit: 1 })[0];
      if (lastRun?.status === 'succeeded') for (const a of atSource) expect(atDest.has(a), `day ${d}: ${a} missing at the destination`).toBe(true);
    }

    await sh(['umount', '-l', disk]);
    const history = engine.history;
    const runs = history.listRuns({ job: job.name });
    const missed = history.missedSlots(job.name);
    for (let d = 0; d < DAYS; d++) {
      const slot = at(d, 12, 30).toISOString();
      const ran = runs.filter((r) => r.slot === slot && r.status === 'succeeded').length;
      const miss = missed.filter((m) => m.slot === slot).length;
      expect(ran + miss, `slot of day ${d}`).toBe(1);
    }
    expect(missed.filter((m) => m.caughtUpBy === undefined).map((m) => m.slot)).toEqual([]);
    const diskFull = runs.filter((r) => /No space left|file I\/O/.test(r.error?.message ?? '')).length;
    if (tally['disk-full'] > 0) expect(diskFull, 'disk-full days failed for lack of space').toBeGreaterThan(0);
    // The slept runs: each failed with the sleep as its cause, and its catch-up ran on waking, before the next tick.
    const slept = runs.filter((r) => r.trigger === 'schedule' && r.status === 'failed' && r.error?.kind === 'slept');
    expect(slept.length, 'slept days').toBe(tally['laptop-slept']);
    for (const r of slept) {
      const caughtUpBy = missed.find((m) => m.slot === r.slot)?.caughtUpBy;
      const catchUp = runs.find((c) => c.id === caughtUpBy);
      expect(catchUp?.trigger, `the catch-up of ${r.slot}`).toBe('catch-up');
      expect(Date.parse(catchUp!.startedAt) - Date.parse(r.slot!), `the catch-up of ${r.slot} ran on waking`).toBeLessThan(30 * 60_000);
    }
    const causes = missed.reduce<Record<string, number>>((acc, m) => ({ ...acc, [m.cause]: (acc[m.cause] ?? 0) + 1 }), {});
    note(
      `${DAYS} days, faults ${JSON.stringify(tally)}; ${runs.length} runs (${runs.filter((r) => r.trigger === 'catch-up').length} catch-ups); missed slots by cause ${JSON.stringify(causes)}, all caught up; ${diskFull} run(s) failed for lack of space; ${slept.length} slept mid-run (the catch-up ran on waking each time)`,
    );
  },
  600_000,
  skipReason,
);
