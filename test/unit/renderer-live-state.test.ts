import { describe, expect, it } from 'vitest';
import type { AppState } from '../../shared/api-contract';
import type { RunRecord } from '../../shared/run-types';
import { applyEvent } from '../../renderer/src/lib/live-state';

const base: AppState = {
  configured: true,
  configPath: '/c.json',
  configProblems: [],
  paused: false,
  jobs: [
    {
      job: 'cvs',
      schedule: '30 12 * * *',
      paused: false,
      running: false,
      nextRunAt: '2026-11-24T12:30:00.000Z',
      outstanding: [{ slot: '2026-11-23T12:30:00.000Z', cause: 'laptop-off' }],
      stale: false,
    },
  ],
  live: {},
  settings: { quiet: false, notifySuccess: false, startAtLogin: false },
  shell: 'web',
};

const run: RunRecord = { id: 'r1', job: 'cvs', trigger: 'manual', status: 'running', startedAt: '2026-11-23T15:00:00.000Z', stamp: '20261123', steps: [] };

describe('renderer live state', () => {
  it('follows a run from start to finish without touching its input', () => {
    const frozen = JSON.stringify(base);
    let s = applyEvent(base, { type: 'run-started', run }).state!;
    expect(s.jobs[0]!.running).toBe(true);
    expect(s.live.cvs).toMatchObject({ runId: 'r1', tunnel: { state: 'down' } });

    s = applyEvent(s, { type: 'step', runId: 'r1', step: { name: 'connect', status: 'running' } }).state!;
    s = applyEvent(s, { type: 'step', runId: 'r1', step: { name: 'connect', status: 'ok', durationMs: 800 } }).state!;
    expect(s.live.cvs!.steps).toEqual([{ name: 'connect', status: 'ok', durationMs: 800 }]);

    s = applyEvent(s, { type: 'tunnel', runId: 'r1', state: 'up', port: 40123 }).state!;
    s = applyEvent(s, { type: 'tunnel', runId: 'r1', state: 'up', connections: 1 }).state!;
    expect(s.live.cvs!.tunnel).toEqual({ state: 'up', port: 40123, connections: 1 });

    s = applyEvent(s, { type: 'progress', runId: 'r1', progress: { bytes: 42, percent: 42, speedBps: 1 } }).state!;
    expect(s.live.cvs!.progress?.percent).toBe(42);

    const done = applyEvent(s, { type: 'run-finished', run: { ...run, status: 'succeeded', endedAt: '2026-11-23T15:05:00.000Z' } });
    expect(done.finishedJob).toBe('cvs');
    expect(done.refetch).toBe(true);
    expect(done.state!.live).toEqual({});
    expect(done.state!.jobs[0]).toMatchObject({ running: false, lastSuccessAt: '2026-11-23T15:05:00.000Z', lastRun: { id: 'r1', status: 'succeeded' } });
    expect(JSON.stringify(base)).toBe(frozen);
  });

  it('asks for the whole state when an event names a run it does not know', () => {
    const r = applyEvent(base, { type: 'progress', runId: 'other', progress: { bytes: 1, percent: 1, speedBps: 1 } });
    expect(r.state).toBe(base);
    expect(r.refetch).toBe(true);
    expect(applyEvent(null, { type: 'schedule', paused: true })).toEqual({ state: null, refetch: true });
  });

  it('missed, caught-up, stale and schedule show at once', () => {
    let s = applyEvent(base, { type: 'missed', job: 'cvs', slot: '2026-11-22T12:30:00.000Z', cause: 'asleep' }).state!;
    expect(s.jobs[0]!.outstanding).toHaveLength(2);
    s = applyEvent(s, { type: 'missed', job: 'cvs', slot: '2026-11-22T12:30:00.000Z', cause: 'asleep' }).state!;
    expect(s.jobs[0]!.outstanding).toHaveLength(2);
    s = applyEvent(s, { type: 'caught-up', job: 'cvs', slots: ['2026-11-22T12:30:00.000Z', '2026-11-23T12:30:00.000Z'], runId: 'r1' }).state!;
    expect(s.jobs[0]!.outstanding).toEqual([]);
    s = applyEvent(s, { type: 'stale', job: 'cvs', ageMs: 3 * 86_400_000 }).state!;
    expect(s.jobs[0]!.stale).toBe(true);
    s = applyEvent(s, { type: 'schedule', paused: true }).state!;
    expect(s.paused).toBe(true);
    const next = { ...base, paused: true };
    expect(applyEvent(s, { type: 'state', state: next })).toEqual({ state: next, refetch: false });
  });
});
