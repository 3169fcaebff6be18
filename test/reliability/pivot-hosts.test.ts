/**
 * The rest of the pivot's faults, against the real lab (see pivot.test.ts
 * for sleep, roaming and kill -9): the source's sshd restarted under a run,
 * and the laptop's own state dir full or read-only. After each, and the next
 * successful run, nothing of the interrupted run is left on any host, and
 * the destination holds exactly what retention keeps. The rows go into
 * docs/reliability.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, expect, it } from 'vitest';
import { dateStamp } from '../../shared/archive-names';
import { ManualClock } from '../../shared/clock';
import { BurrowError } from '../../electron/engine/errors';
import { Engine } from '../../electron/engine/engine';
import { resolveLabMode } from '../../electron/lab/lab';
import { waitFor } from '../../electron/lab/wait-for';
import { History } from '../../electron/engine/state/history';
import { day, labConfig, listing, runJob, writeSampleTree } from '../engine/fixtures';
import { resetLab, useLab } from '../engine/lab-fixture';
import { expectNoLeftovers } from './leftovers';
import { scenario } from './report';

const check = scenario('pivot-hosts');
const setup = useLab();
const isRoot = process.getuid?.() === 0;
const labMode = await resolveLabMode('auto');
beforeEach(() => resetLab(setup));

async function withBulk(bytes: number): Promise<void> {
  writeSampleTree(join(setup.data, 'projects', 'bulk'), 9, bytes);
  await setup.lab.source.own(setup.data);
}

check(
  "source's sshd restarted mid-transfer (its sessions and their processes gone)",
  'the run fails cleanly with the lost connection as its cause; the next run removes what the cut-off one left on the source and at the destination, succeeds, and nothing is left behind',
  async (note) => {
    await withBulk(1_500_000);
    let restarted: Promise<void> | undefined;
    const { record } = await runJob(labConfig(setup.lab, { bwlimitKiBps: 200 }), {
      clock: new ManualClock(day(0)),
      onEvent: (e) => {
        if (e.type === 'progress' && !restarted) restarted = setup.lab.source.kill().then(() => setup.lab.source.start());
      },
    });
    expect(restarted, 'the transfer made progress').toBeDefined();
    await restarted;
    expect(record.status).toBe('failed');
    expect(record.error?.step).toBe('transfer');
    expect(record.error).toMatchObject({ kind: 'unreachable', step: 'transfer' });
    expect(record.error?.message).toMatch(/^the connection to source \(\S+\) closed while "rsync" ran \(its sshd restarted, or the host went down\)$/);
    const left = readdirSync(join(setup.lab.source.home, 'tmp')).filter((n) => n.startsWith('burrow.'));
    const next = await runJob(labConfig(setup.lab), { clock: new ManualClock(day(0)) });
    expect(next.record.error, next.record.error?.message).toBeUndefined();
    for (const d of left) expect(next.record.cleanedUp).toContain(`source:${join(setup.lab.source.home, 'tmp', d)}`);
    const summary = await expectNoLeftovers(setup, { expected: [`projects.${dateStamp(day(0))}.tar.bz2`] });
    note(
      `the run failed: "${record.error!.message.slice(0, 140)}"; the next run removed ${next.record.cleanedUp?.length ?? 0} leftover(s) ` +
        `(${(next.record.cleanedUp ?? []).map((p) => p.replace(/^(\w+):.*\//, '$1:…/')).join(', ')}) and succeeded; ${summary}`,
    );
  },
);

check(
  "the laptop's state dir on a full tmpfs, then read-only",
  'the run does not start, with a message that names the state dir and why; no history record is torn; nothing is sent and the destination is untouched; once there is room the next run succeeds',
  async (note) => {
    const state = join(setup.lab.dir, `state-full-${Math.random().toString(16).slice(2)}`);
    mkdirSync(state);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', state]).status).toBe(0);
    const config = labConfig(setup.lab);
    let engine: Engine | undefined;
    try {
      engine = await Engine.open({ config, stateDir: state });
      const first = await engine.runNow('daily');
      expect(first.error, first.error?.message).toBeUndefined();
      const before = listing(setup.backups);
      // The rest of the disk taken (dd ends with "No space left on device").
      spawnSync('dd', ['if=/dev/zero', `of=${join(state, 'fill')}`, 'bs=64k'], { stdio: 'ignore' });
      const full = await engine.runNow('daily').then(
        (r) => r,
        (err: unknown) => err,
      );
      expect(full).toBeInstanceOf(BurrowError);
      expect(full).toMatchObject({ kind: 'state-dir' });
      expect((full as Error).message).toMatch(
        new RegExp(`^Burrow cannot write its state dir ${state}: it is full .*The run did not start and nothing was sent`),
      );
      // Read-only: the next start of Burrow finds it so (a file system cannot turn read-only while the history is open for writing).
      await engine.shutdown();
      engine = undefined;
      expect(spawnSync('mount', ['-o', 'remount,ro', state]).status).toBe(0);
      const readOnly = await Engine.open({ config, stateDir: state }).then(
        async (e) => {
          engine = e;
          return e.runNow('daily').then(
            (r) => r,
            (err: unknown) => err,
          );
        },
        (err: unknown) => err,
      );
      expect(readOnly).toMatchObject({ kind: 'state-dir' });
      expect((readOnly as Error).message).toMatch(new RegExp(`^Burrow cannot write its state dir ${state}: it is read-only \\(`));
      expect(listing(setup.backups), 'the destination as it was').toEqual(before);
      expect(readdirSync(join(setup.lab.source.home, 'tmp')).filter((n) => n.startsWith('burrow.'))).toEqual([]);
      await (engine as Engine | undefined)?.shutdown();
      engine = undefined;
      // Room again: the history holds the first run, whole, and the next run succeeds.
      expect(spawnSync('mount', ['-o', 'remount,rw', state]).status).toBe(0);
      rmSync(join(state, 'fill'));
      const history = await History.open(state);
      const runs = history.listRuns({ job: 'daily' });
      history.close();
      expect(runs.map((r) => [r.id, r.status])).toEqual([[first.id, 'succeeded']]);
      engine = await Engine.open({ config, stateDir: state });
      const again = await engine.runNow('daily');
      expect(again.error, again.error?.message).toBeUndefined();
      const summary = await expectNoLeftovers(setup, { expected: [`projects.${dateStamp(new Date())}.tar.bz2`] });
      note(
        `full: "${(full as Error).message.slice(0, 160)}"; read-only: "${(readOnly as Error).message.slice(0, 160)}"; the history still held the one earlier run, whole; with room again the run succeeded; ${summary}`,
      );
    } finally {
      await engine?.shutdown();
      spawnSync('umount', ['-l', state]);
      if (existsSync(state)) rmSync(state, { recursive: true, force: true });
    }
  },
  90_000,
  isRoot ? undefined : 'needs root to mount a small tmpfs as the state dir',
);

it("a snapshot job's next run removes the half-sent days, swapped-out days and half-written manifests of cut-off runs at the destination, and nothing else", async () => {
  const config = labConfig(setup.lab, { format: 'snapshot' });
  const first = await runJob(config, { clock: new ManualClock(day(0)) });
  expect(first.record.error, first.record.error?.message).toBeUndefined();
  const root = join(setup.backups, 'daily');
  const planted = ['.2026-11-20.partial', '.2026-11-21.replaced', '.burrow/.manifest-2026-11-21.tmp'];
  for (const p of planted.slice(0, 2)) {
    mkdirSync(join(root, p, 'projects'), { recursive: true });
    writeFileSync(join(root, p, 'projects', 'half'), 'half\n');
  }
  writeFileSync(join(root, planted[2]!), '{');
  const kept = ['.2026-11-20.partial.mine', 'notes.partial'];
  for (const k of kept) writeFileSync(join(root, k), "not Burrow's\n");
  symlinkSync(join(setup.lab.destination.home, '.ssh'), join(root, '.2026-11-19.partial')); // a symlink is never followed or removed
  await setup.lab.destination.own(setup.backups);
  const next = await runJob(config, { clock: new ManualClock(day(1)) });
  expect(next.record.error, next.record.error?.message).toBeUndefined();
  expect([...(next.record.cleanedUp ?? [])].sort()).toEqual(planted.map((p) => `destination:${join(root, p)}`).sort());
  for (const p of planted) expect(existsSync(join(root, p)), p).toBe(false);
  for (const k of [...kept, '.2026-11-19.partial', '../../.ssh/authorized_keys']) expect(existsSync(join(root, k)), k).toBe(true);
  rmSync(join(root, '.2026-11-19.partial'));
  await expectNoLeftovers(setup, { expected: ['2026-11-26', '2026-11-27'], snapshotJob: 'daily' });
});

check(
  'resume event mid-transfer: the connections answer, then a source that does not',
  'connections that answer the round trip let the run go on and it succeeds; a source that does not answer within 5 s ends the run at once with the cause "the laptop slept during the transfer", not after keepalives or rsync give up',
  async (note) => {
    await withBulk(1_000_000);
    const clock = new ManualClock(day(0));
    // Keepalives far slower than the wake-up's round trip, so it is the round trip that tells.
    const config = labConfig(setup.lab, { bwlimitKiBps: 200 }, { ssh: { keepaliveIntervalMs: 30_000, keepaliveCountMax: 3 } });
    const engine = await Engine.open({ config, stateDir: join(setup.lab.dir, `state-wake-${Math.random().toString(16).slice(2)}`), clock });
    let progress = 0;
    engine.on('event', (e) => void (e.type === 'progress' && progress++));
    try {
      const alive = engine.runNow('daily');
      await waitFor(() => progress > 0, { timeoutMs: 30_000, what: 'the transfer' });
      await engine.resumed();
      const went = await alive;
      expect(went.error, went.error?.message).toBeUndefined();
      expect(went.log?.some((l) => /the connections answered, so the run goes on/.test(l.message))).toBe(true);

      // New content (rsync's --fuzzy would send yesterday's archive as a delta in no time).
      rmSync(join(setup.data, 'projects', 'bulk'), { recursive: true, force: true });
      writeSampleTree(join(setup.data, 'projects', 'bulk'), 10, 1_000_000);
      await setup.lab.source.own(setup.data);
      clock.set(day(1));
      progress = 0;
      const dead = engine.runNow('daily');
      await waitFor(() => progress > 0, { timeoutMs: 30_000, what: 'the transfer' });
      const drop = 'table inet burrowwake {\n chain in {\n  type filter hook input priority -10; policy drop;\n }\n}\n';
      expect((await setup.lab.source.exec(['nft', '-f', '-'], { input: drop })).code).toBe(0);
      const woke = Date.now();
      try {
        await engine.resumed();
        const ended = await dead;
        const after = Date.now() - woke;
        expect(ended.status).toBe('failed');
        expect(ended.error).toMatchObject({ kind: 'slept', step: 'transfer' });
        expect(ended.error?.message).toMatch(/^the laptop slept during the transfer .*source did not answer within 5 s/);
        const steps = ended.steps.map((st) => `${st.name} ${st.status} ${st.durationMs ?? ''}ms ${st.detail ?? ''}`).join('\n');
        const log = ended.log?.map((l) => `${l.at} ${l.message}`).join('\n');
        note(
          `the live run went on and succeeded; the silent source ended the run ${(after / 1000).toFixed(1)} s after the resume event: "${ended.error!.message.slice(0, 160)}"`,
        );
        expect(after, `ended by the round trip (5 s), not by keepalives (90 s) or rsync (30 s)\n${steps}\n${log}`).toBeLessThan(15_000);
      } finally {
        await setup.lab.source.exec(['nft', 'delete', 'table', 'inet', 'burrowwake']);
      }
    } finally {
      await engine.shutdown();
      // The session the laptop gave up on would linger on the source (no ClientAlive in the lab's sshd): gone with it.
      await setup.lab.source.kill();
    }
  },
  90_000,
  isRoot && labMode === 'netns' ? undefined : 'needs root and the netns lab (nft on the source)',
);
