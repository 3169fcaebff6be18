/**
 * The schedule against the real lab, with an injected clock: missed slots
 * while the laptop was off or asleep, catch-up with backoff while the source
 * is down, two processes racing for one job, and the daemon stopping mid-run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock';
import type { EngineEvent } from '../../shared/engine-events';
import { Engine } from '../../electron/engine/engine';
import { History } from '../../electron/engine/state/history';
import { startLab, type Lab } from '../../electron/lab/lab';
import { waitFor } from '../../electron/lab/wait-for';
import { labConfig, writeSampleTree } from './fixtures';

const BURROW = join(import.meta.dirname, '..', '..', 'electron', 'cli', 'burrow.mjs');
/** November 2026: the 23rd is a Monday. */
const at = (day: number, h: number, m = 0) => new Date(2026, 10, day, h, m);

let lab: Lab;
let state: string;

beforeAll(async () => {
  lab = await startLab();
  writeSampleTree(join(lab.source.home, 'data', 'projects'), 1);
  await lab.source.own(join(lab.source.home, 'data'));
});
afterAll(() => lab?.stop());
beforeEach(async () => {
  await lab.source.start();
  state = join(lab.dir, `state-${Math.random().toString(16).slice(2)}`);
  for (const d of [join(lab.source.home, 'holding'), join(lab.destination.home, 'backups')]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
  }
  await lab.source.own(join(lab.source.home, 'holding'));
  await lab.destination.own(join(lab.destination.home, 'backups'));
});

async function engineAt(clock: ManualClock, events: EngineEvent[]): Promise<Engine> {
  const engine = await Engine.open({ config: labConfig(lab), stateDir: state, clock, backoff: { firstMs: 60_000, maxMs: 8 * 60_000 } });
  engine.on('event', (e) => events.push(e));
  return engine;
}

const missed = (events: EngineEvent[]) => events.filter((e): e is Extract<EngineEvent, { type: 'missed' }> => e.type === 'missed');
const finished = (events: EngineEvent[]) => events.filter((e): e is Extract<EngineEvent, { type: 'run-finished' }> => e.type === 'run-finished');

describe('missed slots and catch-up', () => {
  it('laptop off Monday 11:00 to Thursday 09:00: three missed slots, one catch-up run, nothing repeated after a restart', async () => {
    const clock = new ManualClock(at(23, 10));
    const before: EngineEvent[] = [];
    const monday = await engineAt(clock, before);
    await monday.scheduler.startUp();
    clock.advance(60 * 60_000);
    await monday.scheduler.tick(); // alive until 11:00, then the laptop goes off
    expect(missed(before)).toEqual([]);

    clock.set(at(26, 9));
    const events: EngineEvent[] = [];
    const thursday = await engineAt(clock, events);
    await thursday.scheduler.startUp();
    expect(missed(events).map((e) => [e.slot, e.cause])).toEqual([
      [at(23, 12, 30).toISOString(), 'laptop-off'],
      [at(24, 12, 30).toISOString(), 'laptop-off'],
      [at(25, 12, 30).toISOString(), 'laptop-off'],
    ]);
    await thursday.scheduler.tick();
    const runs = finished(events);
    expect(runs.map((e) => [e.run.trigger, e.run.status])).toEqual([['catch-up', 'succeeded']]);
    const caught = events.find((e) => e.type === 'caught-up');
    expect(caught).toMatchObject({ type: 'caught-up', runId: runs[0]!.run.id });
    expect(thursday.history.missedSlots('daily').map((m) => m.caughtUpBy)).toEqual([runs[0]!.run.id, runs[0]!.run.id, runs[0]!.run.id]);
    expect(thursday.status()[0]!.outstanding).toEqual([]);

    clock.advance(30 * 60_000);
    const again: EngineEvent[] = [];
    const restarted = await engineAt(clock, again);
    await restarted.scheduler.startUp();
    await restarted.scheduler.tick();
    expect(missed(again)).toEqual([]);
    expect(finished(again)).toEqual([]);
  });

  it('asleep over 12:30: one missed slot with cause asleep, and a catch-up run', async () => {
    const clock = new ManualClock(at(23, 11, 50));
    const events: EngineEvent[] = [];
    const engine = await engineAt(clock, events);
    await engine.scheduler.startUp();
    clock.advance(30_000);
    await engine.scheduler.tick();
    clock.jump(2 * 60 * 60_000); // the lid closes at 11:50:30 and opens at 13:50:30
    await engine.scheduler.tick();
    expect(missed(events).map((e) => [e.slot, e.cause])).toEqual([[at(23, 12, 30).toISOString(), 'asleep']]);
    expect(finished(events).map((e) => [e.run.trigger, e.run.status])).toEqual([['catch-up', 'succeeded']]);
  });

  it('retries with backoff while the source is unreachable, then catches up once, with no duplicate runs', async () => {
    const clock = new ManualClock(at(23, 10));
    const first = await engineAt(clock, []);
    await first.scheduler.startUp();
    clock.set(at(24, 9));
    const events: EngineEvent[] = [];
    const engine = await engineAt(clock, events);
    await lab.source.kill();
    await engine.scheduler.startUp();
    expect(missed(events)).toHaveLength(1);

    const attempts: number[] = [];
    engine.on('event', (e) => e.type === 'engine-log' && e.message.includes('waiting for the source') && attempts.push(clock.now().getTime()));
    await engine.scheduler.tick(); // due now: source down
    clock.advance(30_000);
    await engine.scheduler.tick(); // not due yet: no attempt
    clock.advance(30_000);
    await engine.scheduler.tick(); // 1 min after the first: source still down
    clock.advance(60_000);
    await engine.scheduler.tick(); // backoff is now 2 min: no attempt
    expect(attempts.map((t) => (t - attempts[0]!) / 1000)).toEqual([0, 60]);
    expect(finished(events)).toEqual([]);

    await lab.source.start();
    clock.advance(60_000);
    await engine.scheduler.tick();
    clock.advance(10 * 60_000);
    await engine.scheduler.tick();
    expect(finished(events).map((e) => [e.run.trigger, e.run.status])).toEqual([['catch-up', 'succeeded']]);
    expect(engine.history.listRuns({ job: 'daily' })).toHaveLength(1);
  });

  it('raises one stale event when the last success is older than two days', async () => {
    const clock = new ManualClock(at(23, 13));
    const events: EngineEvent[] = [];
    const engine = await engineAt(clock, events);
    await engine.scheduler.startUp();
    expect((await engine.runNow('daily')).status).toBe('succeeded');
    await engine.scheduler.setPaused(true);
    clock.advance(49 * 3600_000);
    await engine.scheduler.tick();
    await engine.scheduler.tick();
    expect(events.filter((e) => e.type === 'stale')).toHaveLength(1);
    expect(engine.status()[0]).toMatchObject({ stale: true, paused: true });
  });
});

describe('one run per job across processes', () => {
  function burrow(args: string[], configPath: string) {
    const child = spawn(process.execPath, [BURROW, ...args, '--config', configPath], {
      env: { ...process.env, XDG_STATE_HOME: state },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    return { child, exited, stderr: () => stderr };
  }

  it('two `burrow run` at once: exactly one runs, the other names the lock holder', async () => {
    const configPath = join(lab.dir, 'race.json');
    writeFileSync(configPath, JSON.stringify(labConfig(lab, { bwlimitKiBps: 200 })));
    const a = burrow(['run'], configPath);
    const b = burrow(['run'], configPath);
    const codes = await Promise.all([a.exited, b.exited]);
    expect([...codes].sort()).toEqual([0, 1]);
    const loser = codes[0] === 1 ? a : b;
    expect(loser.stderr()).toMatch(/job daily is already running in process \d+/);
    const history = await History.open(join(state, 'burrow'));
    expect(history.listRuns({ job: 'daily' }).map((r) => r.status)).toEqual(['succeeded']);
  });

  it('the daemon cancels a run on SIGTERM: tunnel gone from the source, lock released, run recorded as cancelled', async () => {
    writeSampleTree(join(lab.source.home, 'data', 'projects', 'bulk'), 5, 3_000_000);
    await lab.source.own(join(lab.source.home, 'data'));
    const configPath = join(lab.dir, 'daemon.json');
    writeFileSync(configPath, JSON.stringify(labConfig(lab, { bwlimitKiBps: 500, tunnelPort: 9133 })));
    const d = burrow(['daemon', '--run-now'], configPath);
    try {
      await waitFor(() => /transfer started/.test(d.stderr()), { timeoutMs: 30_000, what: 'the transfer to start' });
      expect(await lab.source.listeningPorts()).toContain(9133);
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
    } finally {
      d.child.kill('SIGKILL');
    }
    expect(d.stderr()).toContain('daemon stopped');
    await waitFor(async () => !(await lab.source.listeningPorts()).includes(9133), { timeoutMs: 5000, what: 'the tunnel port to close' });
    expect(existsSync(join(state, 'burrow', 'locks', 'daily.lock'))).toBe(false);
    const history = await History.open(join(state, 'burrow'));
    const run = history.getRun(history.listRuns({ job: 'daily' })[0]!.id);
    expect(run).toMatchObject({ status: 'cancelled' });
    expect(run!.steps.find((s) => s.name === 'teardown')?.status).toBe('ok');
    expect(readdirSync(join(lab.source.home, 'holding')).filter((n) => n.includes('.partial.'))).toEqual([]);
  });
});
