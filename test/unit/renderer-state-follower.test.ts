import { describe, expect, it } from 'vitest';
import type { AppEvent, AppState } from '../../shared/api-contract';
import { followState } from '../../renderer/src/lib/state-follower';

const state = (extra: Partial<AppState> = {}): AppState => ({
  configured: true,
  configPath: '/c.json',
  configProblems: [],
  paused: false,
  jobs: [{ job: 'cvs', schedule: '30 12 * * *', paused: false, running: true, nextRunAt: '2026-11-24T12:30:00.000Z', outstanding: [], stale: false }],
  live: {
    cvs: {
      runId: 'r1',
      job: 'cvs',
      trigger: 'manual',
      startedAt: '2026-11-23T15:00:00.000Z',
      steps: [{ name: 'connect', status: 'running' }],
      tunnel: { state: 'down' },
    },
  },
  settings: { quiet: false, notifySuccess: false, startAtLogin: false },
  shell: 'web',
  ...extra,
});

/** A bridge whose getState answers only when the test says so. */
function fakeBridge() {
  const answers: ((s: AppState) => void)[] = [];
  let listener: ((e: AppEvent) => void) | undefined;
  return {
    bridge: {
      getState: () => new Promise<AppState>((resolve) => answers.push(resolve)),
      onEvent: (l: (e: AppEvent) => void) => {
        listener = l;
        return () => (listener = undefined);
      },
    },
    answer: (s: AppState) => answers.shift()!(s),
    pending: () => answers.length,
    emit: (e: AppEvent) => listener?.(e),
    subscribed: () => listener !== undefined,
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('renderer state follower', () => {
  it('replays events heard during a fetch on its (older) answer', async () => {
    const fake = fakeBridge();
    const seen: AppState[] = [];
    followState(fake.bridge, { onState: (s) => seen.push(s), onError: () => undefined, onRunFinished: () => undefined });
    fake.emit({ type: 'step', runId: 'r1', step: { name: 'connect', status: 'ok', durationMs: 5 } });
    fake.answer(state());
    await tick();
    expect(seen.at(-1)!.live.cvs!.steps).toEqual([{ name: 'connect', status: 'ok', durationMs: 5 }]);
  });

  it('a whole state heard during a fetch wins over the answer', async () => {
    const fake = fakeBridge();
    const seen: AppState[] = [];
    followState(fake.bridge, { onState: (s) => seen.push(s), onError: () => undefined, onRunFinished: () => undefined });
    fake.emit({ type: 'state', state: state({ paused: true }) });
    fake.answer(state({ paused: false }));
    await tick();
    expect(seen.map((s) => s.paused)).toEqual([true]);
  });

  it('a finished run is reported and asks for nothing (the engine pushes the state); stop unsubscribes', async () => {
    const fake = fakeBridge();
    const finished: string[] = [];
    const f = followState(fake.bridge, { onState: () => undefined, onError: () => undefined, onRunFinished: (j) => finished.push(j) });
    fake.answer(state());
    await tick();
    fake.emit({
      type: 'run-finished',
      run: { id: 'r1', job: 'cvs', trigger: 'manual', status: 'succeeded', startedAt: '2026-11-23T15:00:00.000Z', stamp: '', steps: [] },
    });
    expect(finished).toEqual(['cvs']);
    expect(fake.pending()).toBe(0);
    f.stop();
    expect(fake.subscribed()).toBe(false);
  });

  it('folds live events into the pushed state without a fetch, and a push replaces it', async () => {
    const fake = fakeBridge();
    const seen: AppState[] = [];
    followState(fake.bridge, { onState: (s) => seen.push(s), onError: () => undefined, onRunFinished: () => undefined });
    fake.answer(state());
    await tick();
    fake.emit({ type: 'tunnel', runId: 'r1', state: 'requesting', port: 0 });
    fake.emit({ type: 'tunnel', runId: 'r1', state: 'up', port: 40123 });
    fake.emit({ type: 'progress', runId: 'r1', progress: { bytes: 42, percent: 42, speedBps: 1 } });
    expect(seen.at(-1)!.live.cvs).toMatchObject({ tunnel: { state: 'up', port: 40123 }, progress: { bytes: 42 } });
    fake.emit({ type: 'log', runId: 'r1', level: 'info', message: 'changes nothing' });
    expect(seen).toHaveLength(4);
    fake.emit({ type: 'state', state: state({ paused: true, live: {} }) });
    expect(seen.at(-1)).toMatchObject({ paused: true, live: {} });
    expect(fake.pending()).toBe(0);
  });
});
