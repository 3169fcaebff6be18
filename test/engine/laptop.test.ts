/**
 * Laptop awareness against the lab, with an injected battery and network
 * source and an injected clock: a slot on battery or on a metered network is
 * deferred and recorded with its own cause (history, status, the tray's
 * tooltip), caught up once when the condition clears, before the next slot;
 * Run now runs anyway, with a warning.
 */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppState } from '../../shared/api-contract';
import { ManualClock } from '../../shared/clock';
import type { EngineEvent } from '../../shared/engine-events';
import type { PowerState } from '../../shared/laptop-rules';
import { trayIcon, trayTooltip } from '../../shared/tray-state';
import { Engine } from '../../electron/engine/engine';
import type { LaptopSource } from '../../electron/engine/laptop/laptop-source';
import { History } from '../../electron/engine/state/history';
import { labConfig } from './fixtures';
import { resetLab, useLab } from './lab-fixture';

/** November 2026: the 23rd is a Monday. */
const at = (day: number, h: number, m = 0) => new Date(2026, 10, day, h, m);

const f = useLab();
let state: string;
beforeEach(async () => {
  await resetLab(f);
  state = join(f.lab.dir, `state-${Math.random().toString(16).slice(2)}`);
});

/** A laptop whose power and network the test sets. */
function fakeLaptop(power: PowerState, metered = false) {
  const src = { power, metered, reads: 0 };
  const source: LaptopSource = {
    power: async () => {
      src.reads++;
      return src.power;
    },
    metered: async () => src.metered,
  };
  return { src, source };
}

async function engineWith(
  clock: ManualClock,
  laptop: LaptopSource,
  events: EngineEvent[],
  job: Record<string, unknown> = { onBattery: 'defer', onMetered: 'defer' },
) {
  const engine = await Engine.open({ config: labConfig(f.lab, job), stateDir: state, clock, laptop });
  engine.on('event', (e) => events.push(e));
  return engine;
}

const runs = (events: EngineEvent[]) => events.flatMap((e) => (e.type === 'run-finished' ? [[e.run.trigger, e.run.status]] : []));
const appState = (engine: Engine): AppState => ({
  configured: true,
  configPath: '/c.json',
  configProblems: [],
  paused: false,
  jobs: engine.status(),
  live: {},
  settings: { quiet: false, notifySuccess: false, startAtLogin: false },
  shell: 'electron',
});

describe('laptop awareness', () => {
  it('on battery at 12:30: deferred with its cause, waits while the network is metered, then catches up once', async () => {
    const clock = new ManualClock(at(23, 12));
    const { src, source } = fakeLaptop({ onBattery: true, percent: 64 });
    const events: EngineEvent[] = [];
    const engine = await engineWith(clock, source, events);
    await engine.scheduler.startUp();
    clock.set(at(23, 12, 30));
    const job = engine.config.jobs[0]!;
    expect(await engine.scheduler.onSlot(job, at(23, 12, 30))).toBeUndefined();
    expect(runs(events)).toEqual([]);

    // Recorded with its own cause, in history and status; the tray says what it waits for.
    expect(engine.history.missedSlots('daily').map((m) => [m.slot, m.cause])).toEqual([[at(23, 12, 30).toISOString(), 'deferred-battery']]);
    expect(engine.status()[0]!.outstanding).toEqual([{ slot: at(23, 12, 30).toISOString(), cause: 'deferred-battery' }]);
    expect(trayTooltip(appState(engine), clock.now())).toMatch(/ · deferred: on battery$/);
    expect(trayIcon(appState(engine))).toBe('paused');
    expect(
      events.some(
        (e) => e.type === 'engine-log' && e.message === 'daily: deferred: on battery (on battery (64 %)); it runs once that clears, before the next slot',
      ),
    ).toBe(true);
    // Missed-found carries it, and the policy keeps it off every channel.
    expect(events.find((e) => e.type === 'missed-found')).toMatchObject({ job: 'daily', slots: [{ cause: 'deferred-battery' }] });

    // Still on battery: the ticks run nothing and count no attempt.
    for (let i = 0; i < 3; i++) {
      clock.advance(30_000);
      await engine.scheduler.tick();
    }
    expect(runs(events)).toEqual([]);
    // Plugged in, but on a phone's hotspot: still waiting.
    src.power = { onBattery: false, percent: 65 };
    src.metered = true;
    clock.advance(30_000);
    await engine.scheduler.tick();
    expect(runs(events)).toEqual([]);
    // Home Wi-Fi: one catch-up run, which covers the slot; nothing more after it.
    src.metered = false;
    clock.advance(30_000);
    await engine.scheduler.tick();
    for (let i = 0; i < 3; i++) {
      clock.advance(30 * 60_000);
      await engine.scheduler.tick();
    }
    expect(runs(events)).toEqual([['catch-up', 'succeeded']]);
    expect(engine.status()[0]!.outstanding).toEqual([]);
    expect(trayTooltip(appState(engine), clock.now())).not.toContain('deferred');

    // The cause stays in the history, caught up by that run.
    await engine.shutdown();
    const history = await History.open(state);
    const [slot] = history.missedSlots('daily');
    expect(slot).toMatchObject({ cause: 'deferred-battery', caughtUpBy: history.listRuns({ job: 'daily' })[0]!.id });
    history.close();
  });

  it('a metered network and a low battery are causes of their own', async () => {
    const clock = new ManualClock(at(23, 12));
    const { src, source } = fakeLaptop({ onBattery: false }, true);
    const events: EngineEvent[] = [];
    const engine = await engineWith(clock, source, events, { onMetered: 'defer', minBatteryPercent: 20 });
    await engine.scheduler.startUp();
    const job = engine.config.jobs[0]!;
    await engine.scheduler.onSlot(job, at(23, 12, 30));
    src.metered = false;
    src.power = { onBattery: true, percent: 12 };
    clock.set(at(24, 12, 30));
    await engine.scheduler.onSlot(job, at(24, 12, 30));
    expect(engine.history.missedSlots('daily').map((m) => m.cause)).toEqual(['deferred-metered', 'deferred-low-battery']);
    expect(trayTooltip(appState(engine), clock.now())).toContain('deferred: metered network, deferred: battery low');
    expect(runs(events)).toEqual([]);
    await engine.shutdown();
  });

  it('Run now runs on battery all the same, and says so in the run and the log', async () => {
    const clock = new ManualClock(at(23, 13));
    const { source } = fakeLaptop({ onBattery: true, percent: 30 });
    const events: EngineEvent[] = [];
    const engine = await engineWith(clock, source, events);
    const started = await engine.startRun('daily');
    expect(started.warning).toBe("Running although daily's laptop rules would wait: on battery (30 %).");
    const record = await started.done;
    expect(record.status).toBe('succeeded');
    expect(record.log?.[0]).toMatchObject({ level: 'warn', message: started.warning });
    expect(engine.history.getRun(record.id)?.log?.[0]?.message).toBe(started.warning);
    expect(events.some((e) => e.type === 'engine-log' && e.level === 'warn' && e.message === started.warning)).toBe(true);
    await engine.shutdown();
  });

  it('a job without laptop rules never asks the source', async () => {
    const clock = new ManualClock(at(23, 12));
    const { src, source } = fakeLaptop({ onBattery: true, percent: 5 });
    const events: EngineEvent[] = [];
    const engine = await engineWith(clock, source, events, {});
    await engine.scheduler.startUp();
    await engine.scheduler.onSlot(engine.config.jobs[0]!, at(23, 12, 30));
    expect(runs(events)).toEqual([['schedule', 'succeeded']]);
    expect(src.reads).toBe(0);
    await engine.shutdown();
  });
});
