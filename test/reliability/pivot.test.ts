/**
 * The pivot's own faults, against the real lab: the laptop sleeps (Burrow's
 * process stopped with SIGSTOP for longer than the source's sshd waits for a
 * silent client), roams (its routes to the hosts gone for 30 s), dies
 * (kill -9 mid-pack and mid-transfer), the source restarts under a run, or
 * the laptop's own state dir is full or read-only. After each, and the next
 * successful run, nothing of the interrupted run is left on any host, and
 * the destination holds exactly what retention keeps. The rows go into
 * docs/reliability.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, expect } from 'vitest';
import { dateStamp } from '../../shared/archive-names';
import { ManualClock } from '../../shared/clock';
import type { EngineEvent } from '../../shared/engine-events';
import type { RunRecord } from '../../shared/run-types';
import { Engine } from '../../electron/engine/engine';
import { History } from '../../electron/engine/state/history';
import { resolveLabMode } from '../../electron/lab/lab';
import { run } from '../../electron/lab/run';
import { waitFor } from '../../electron/lab/wait-for';
import { day, labConfig, labConfigDocument, writeSampleTree } from '../engine/fixtures';
import { resetLab, useLab } from '../engine/lab-fixture';
import { expectNoLeftovers } from './leftovers';
import { scenario } from './report';

const BURROW = join(import.meta.dirname, '..', '..', 'electron', 'cli', 'burrow.mjs');
const check = scenario('pivot');
const setup = useLab();
const labMode = await resolveLabMode('auto');
const needsNetns = process.getuid?.() === 0 && labMode === 'netns' ? undefined : 'needs root and the netns lab';
beforeEach(async () => {
  await setup.lab.source.reconfigure([]);
  await resetLab(setup);
});

async function withBulk(bytes: number): Promise<void> {
  writeSampleTree(join(setup.data, 'projects', 'bulk'), 9, bytes);
  await setup.lab.source.own(setup.data);
}

/** The runs of job daily in a state dir, oldest first, read after the process that wrote them is gone. */
async function runsIn(state: string): Promise<RunRecord[]> {
  const history = await History.open(state);
  try {
    return history
      .listRuns({ job: 'daily' })
      .reverse()
      .map((r) => history.getRun(r.id)!);
  } finally {
    history.close();
  }
}

/** A `burrow daemon` process with its own config, state and log; `log` collects its stderr. */
function startDaemon(config: object, state: string): { child: ChildProcess; log: () => string; stopped: Promise<number | null> } {
  const configPath = join(setup.lab.dir, `daemon-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  const env = { ...process.env, XDG_STATE_HOME: state, XDG_CONFIG_HOME: join(state, 'config') };
  const child = spawn(process.execPath, [BURROW, 'daemon', '--config', configPath], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const stopped = new Promise<number | null>((r) => child.once('exit', r));
  return { child, log: () => out, stopped };
}

/**
 * The laptop was last seen two days ago, so the daemon finds yesterday's
 * slot missed (laptop off) and catches it up at once: a run that starts
 * without waiting for a minute boundary. The slot is an hour ago each day, so
 * the catch-up's window (until the next slot) stays open.
 */
function seenTwoDaysAgo(state: string): string {
  const dir = join(state, 'burrow');
  mkdirSync(dir, { recursive: true });
  const to = Date.now() - 2 * 86_400_000;
  const path = join(dir, 'heartbeat.json');
  writeFileSync(path, JSON.stringify({ spans: [{ instance: 'before', from: to - 3_600_000, to }] }));
  utimesSync(path, to / 1000, to / 1000);
  const slot = new Date(Date.now() - 3_600_000);
  return `${slot.getMinutes()} ${slot.getHours()} * * *`;
}

for (const format of (process.env.PIVOT_FORMATS?.split(',') ?? ['archive', 'snapshot']) as ('archive' | 'snapshot')[]) {
  check(
    `laptop slept (Burrow stopped with SIGSTOP) mid-transfer, ${format} format`,
    'the run ends at once on waking with the cause "the laptop slept during the transfer"; the catch-up starts within a minute of SIGCONT and succeeds; nothing is left behind',
    async (note) => {
      // The source's sshd gives up on a silent client after about 2 s (ClientAliveInterval 1 x ClientAliveCountMax 2).
      await setup.lab.source.reconfigure(['ClientAliveInterval 1', 'ClientAliveCountMax 2']);
      await withBulk(800_000);
      const state = join(setup.lab.dir, `state-${Math.random().toString(16).slice(2)}`);
      const schedule = seenTwoDaysAgo(state);
      const daemon = startDaemon(labConfigDocument(setup.lab, { format, schedule, bwlimitKiBps: 200 }), state);
      try {
        await waitFor(() => /transfer started/.test(daemon.log()), { timeoutMs: 60_000, what: 'the catch-up to reach its transfer' });
        await waitFor(async () => (await setup.lab.source.listeningPorts()).length > 1, { timeoutMs: 10_000, what: 'the tunnel' });
        daemon.child.kill('SIGSTOP');
        const stoppedAt = Date.now();
        // Longer than the source waits for a silent client: its sshd drops the session, the listener and rsync with it.
        await waitFor(async () => (await setup.lab.source.listeningPorts()).length === 1, { timeoutMs: 20_000, what: 'the source to drop the silent laptop' });
        await new Promise((r) => setTimeout(r, Math.max(0, 6000 - (Date.now() - stoppedAt))));
        daemon.child.kill('SIGCONT');
        const woke = Date.now();
        await waitFor(() => /run \S+ succeeded/.test(daemon.log()), { timeoutMs: 90_000, what: 'the catch-up to succeed' });
        daemon.child.kill('SIGTERM');
        expect(await daemon.stopped).toBe(0);
        const runs = await runsIn(join(state, 'burrow'));
        expect(runs.map((r) => [r.trigger, r.status])).toEqual([
          ['catch-up', 'failed'],
          ['catch-up', 'succeeded'],
        ]);
        const [slept, caughtUp] = runs as [RunRecord, RunRecord];
        expect(slept.error, `${slept.error?.message}\n${daemon.log().slice(-3000)}`).toMatchObject({ kind: 'slept', step: 'transfer' });
        expect(slept.error?.message).toMatch(/^the laptop slept during the transfer/);
        const startedAfter = Date.parse(caughtUp.startedAt) - woke;
        expect(startedAfter).toBeLessThan(60_000);
        const endedAfter = Date.parse(slept.endedAt!) - woke;
        const stamp = dateStamp(new Date());
        const summary = await expectNoLeftovers(setup, {
          expected: format === 'archive' ? [`projects.${stamp}.tar.bz2`] : [`${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6)}`],
          ...(format === 'snapshot' ? { snapshotJob: 'daily' } : {}),
        });
        note(
          `stopped ${((woke - stoppedAt) / 1000).toFixed(1)} s; the run ended ${(endedAfter / 1000).toFixed(2)} s after SIGCONT: "${slept.error!.message.slice(0, 220)}"; ` +
            `the catch-up started ${(startedAfter / 1000).toFixed(2)} s after SIGCONT and succeeded${caughtUp.cleanedUp?.length ? `, removing ${caughtUp.cleanedUp.length} leftover(s)` : ''}; ${summary}`,
        );
      } finally {
        daemon.child.kill('SIGCONT');
        daemon.child.kill('SIGKILL');
      }
    },
    150_000,
  );
}

/** The laptop's routes to the source and the destination (netns lab): removed, and a function that puts them back. */
async function dropRoutes(): Promise<() => Promise<void>> {
  const all = (await run(['ip', '-o', '-4', 'route', 'show'])).stdout.split('\n');
  const routes = [setup.lab.source, setup.lab.destination].map((h) =>
    all.find((l) => l.includes(`src ${h.laptopAddress} `) || l.endsWith(`src ${h.laptopAddress}`))!.trim(),
  );
  for (const r of routes) expect((await run(['ip', 'route', 'del', ...r.split(/\s+/)])).code).toBe(0);
  let back = false;
  return async () => {
    if (back) return;
    back = true;
    for (const r of routes) await run(['ip', 'route', 'add', ...r.split(/\s+/)]);
  };
}

check(
  'the laptop roamed: its routes to both hosts gone for 30 s mid-transfer',
  'the run fails with a cause that says the network changed; the catch-up runs as soon as both hosts answer again and succeeds; nothing is left behind',
  async (note) => {
    // The forward of a laptop that vanished is the source's sshd's to drop, when its keepalives give up
    // (README, "The laptop's own faults"): here after about 2 s. Without them it stays until TCP gives up.
    await setup.lab.source.reconfigure(['ClientAliveInterval 1', 'ClientAliveCountMax 2']);
    await withBulk(800_000);
    const state = join(setup.lab.dir, `state-${Math.random().toString(16).slice(2)}`);
    const hourAgo = new Date(Date.now() - 3_600_000);
    const config = labConfig(setup.lab, { bwlimitKiBps: 200, schedule: `${hourAgo.getMinutes()} ${hourAgo.getHours()} * * *` });
    const engine = await Engine.open({ config, stateDir: state, backoff: { whenBackProbeMs: 2000 } });
    const events: EngineEvent[] = [];
    engine.on('event', (e) => events.push(e));
    const finished = () => events.flatMap((e) => (e.type === 'run-finished' ? [e.run] : []));
    let restore: (() => Promise<void>) | undefined;
    try {
      await engine.scheduler.startUp();
      engine.scheduler.arm();
      const slot = engine.scheduler.onSlot(config.jobs[0]!, new Date(Math.floor(Date.now() / 60_000) * 60_000));
      await waitFor(() => events.some((e) => e.type === 'progress'), { timeoutMs: 30_000, what: 'the transfer to make progress' });
      restore = await dropRoutes();
      const cut = Date.now();
      await waitFor(() => finished().length === 1, { timeoutMs: 30_000, what: 'the run to notice' });
      const failedAfter = Date.now() - cut;
      await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - cut))));
      await restore();
      const back = Date.now();
      await waitFor(() => finished().some((r) => r.status === 'succeeded'), { timeoutMs: 60_000, what: 'the catch-up to succeed' }).catch((err: Error) => {
        const said = events.flatMap((e) =>
          e.type === 'engine-log' || e.type === 'log'
            ? [e.message]
            : e.type === 'run-finished'
              ? [`${e.run.trigger} ${e.run.status}: ${e.run.error?.message}`]
              : [],
        );
        throw new Error(`${err.message}: ${said.join(' | ')}`);
      });
      await slot;
      const [failed, caughtUp] = finished() as [RunRecord, RunRecord];
      const told = finished()
        .map((r) => `${r.trigger} ${r.status} ${r.startedAt}: ${r.error?.message ?? ''}`)
        .join('\n');
      expect(
        finished().map((r) => [r.trigger, r.status]),
        `routes back at ${new Date(back).toISOString()}\n${told}`,
      ).toEqual([
        ['schedule', 'failed'],
        ['catch-up', 'succeeded'],
      ]);
      expect(failed.error, failed.error?.message).toMatchObject({ kind: 'network-changed', step: 'transfer' });
      // With its own route gone the laptop's default route leads elsewhere (as on a new Wi-Fi): another address, or none.
      expect(failed.error?.message).toMatch(
        /^the laptop's network changed during the transfer: (it has no route to source|its way to source \(\S+\) now leaves from )/,
      );
      const startedAfter = Date.parse(caughtUp.startedAt) - back;
      expect(startedAfter).toBeLessThan(2000 + 5000); // the next probe, every 2 s here (15 s by default)
      expect(engine.history.outstanding('daily')).toEqual([]);
      const summary = await expectNoLeftovers(setup, { expected: [`projects.${dateStamp(new Date())}.tar.bz2`] });
      note(
        `the run failed ${(failedAfter / 1000).toFixed(1)} s after the routes went: "${failed.error!.message.slice(0, 220)}"; ` +
          `routes back after 30 s, the catch-up started ${(startedAfter / 1000).toFixed(1)} s later (asking every 2 s) and succeeded; ${summary}`,
      );
    } finally {
      await restore?.();
      await engine.shutdown();
    }
  },
  120_000,
  needsNetns,
);

check(
  'kill -9 mid-pack, then the next run',
  'the pack cut off from its laptop is left to finish (never removed while it writes); the next run succeeds and nothing is left behind',
  async (note) => {
    await withBulk(24_000_000); // a few seconds of lbzip2
    const state = join(setup.lab.dir, `state-${Math.random().toString(16).slice(2)}`);
    const configPath = join(setup.lab.dir, `kill-pack-${Math.random().toString(16).slice(2)}.json`);
    writeFileSync(configPath, JSON.stringify(labConfigDocument(setup.lab)));
    const env = { ...process.env, XDG_STATE_HOME: state };
    const first = spawn(process.execPath, [BURROW, 'run', '--config', configPath], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let out = '';
    first.stderr.on('data', (b: Buffer) => (out += b.toString()));
    await waitFor(() => readdirSync(setup.holding).some((n) => n.includes('.partial.')), { timeoutMs: 30_000, what: 'the pack to start writing' });
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const partial = readdirSync(setup.holding).find((n) => n.includes('.partial.'));
    const again = spawn(process.execPath, [BURROW, 'run', '--json', '--config', configPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let json = '';
    again.stdout.on('data', (b: Buffer) => (json += b.toString()));
    expect(await new Promise((r) => again.once('exit', r))).toBe(0);
    const record = JSON.parse(json) as RunRecord;
    const kept = record.log?.find((l) => l.message.startsWith('left ') && l.message.includes('.partial.'));
    // The cut-off pack runs to its end on the source (sshd does not stop a session's processes): its archive is whole.
    // 24 MB through lbzip2, its test and sha256sum: seconds alone, longer beside another lab file's 10,000-file runs.
    await waitFor(() => !readdirSync(setup.holding).some((n) => n.includes('.partial.')), { timeoutMs: 60_000, what: 'the cut-off pack to finish' }).catch(
      async (err: Error) => {
        // Say whether the pack still works or hangs: the source user's processes, as ps sees them.
        const ps = await run(['ps', '-o', 'pid,stat,etime,time,args', '-u', setup.lab.source.user]).catch((e: Error) => ({ stdout: e.message }));
        throw new Error(`${err.message}; holding dir: ${readdirSync(setup.holding).join(' ')}; source processes:\n${ps.stdout}`);
      },
    );
    const summary = await expectNoLeftovers(setup, { expected: [`projects.${dateStamp(new Date())}.tar.bz2`] });
    note(
      `killed while ${partial} was written; the next run ${kept ? `left it (${kept.message.slice(kept.message.indexOf(': ') + 2)})` : 'found it finished'} and succeeded; ${summary}`,
    );
  },
);

check(
  'kill -9 mid-transfer, then the next run',
  "the next run removes the dead run's temporary dir on the source and rsync's .~tmp~ at the destination, and succeeds; nothing is left behind",
  async (note) => {
    await withBulk(800_000);
    const state = join(setup.lab.dir, `state-${Math.random().toString(16).slice(2)}`);
    const configPath = join(setup.lab.dir, `kill-transfer-${Math.random().toString(16).slice(2)}.json`);
    writeFileSync(configPath, JSON.stringify(labConfigDocument(setup.lab, { bwlimitKiBps: 200 })));
    const env = { ...process.env, XDG_STATE_HOME: state };
    const first = spawn(process.execPath, [BURROW, 'run', '--config', configPath], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    await waitFor(async () => (await setup.lab.source.listeningPorts()).length > 1, { timeoutMs: 30_000, what: 'the tunnel' });
    await waitFor(() => readdirSync(join(setup.lab.source.home, 'tmp')).some((n) => n.startsWith('burrow.')), { timeoutMs: 30_000, what: 'the transfer' });
    await new Promise((r) => setTimeout(r, 1500)); // rsync under way
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const left = readdirSync(join(setup.lab.source.home, 'tmp')).filter((n) => n.startsWith('burrow.'));
    expect(left).toHaveLength(1);
    const again = spawn(process.execPath, [BURROW, 'run', '--json', '--config', configPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let json = '';
    again.stdout.on('data', (b: Buffer) => (json += b.toString()));
    expect(await new Promise((r) => again.once('exit', r))).toBe(0);
    const record = JSON.parse(json) as RunRecord;
    expect(record.cleanedUp).toContain(`source:${join(setup.lab.source.home, 'tmp', left[0]!)}`);
    const summary = await expectNoLeftovers(setup, { expected: [`projects.${dateStamp(new Date())}.tar.bz2`] });
    note(`the next run removed ${record.cleanedUp!.join(', ')} and succeeded; ${summary}`);
  },
);
