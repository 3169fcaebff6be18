import { describe, expect, it } from 'vitest';
import type { LiveRun } from '../../shared/api-contract';
import { applyRunEvent } from '../../shared/live-runs';
import type { RunRecord } from '../../shared/run-types';

const run: RunRecord = { id: 'r1', job: 'cvs', trigger: 'manual', status: 'running', startedAt: '2026-11-23T15:00:00.000Z', stamp: '20261123', steps: [] };

describe('the live-run fold (one copy: the engine and the renderer both apply it)', () => {
  it('follows a run from start to finish without touching its input', () => {
    const empty: Record<string, LiveRun> = {};
    let live = applyRunEvent(empty, { type: 'run-started', run });
    expect(empty).toEqual({});
    expect(live.cvs).toMatchObject({ runId: 'r1', tunnel: { state: 'down' } });
    const frozen = JSON.stringify(live);
    const next = applyRunEvent(live, { type: 'step', runId: 'r1', step: { name: 'connect', status: 'running' } });
    expect(JSON.stringify(live)).toBe(frozen);
    live = applyRunEvent(next, { type: 'step', runId: 'r1', step: { name: 'connect', status: 'ok', durationMs: 800 } });
    // A step the run-started record did not list is added, not lost.
    expect(live.cvs!.steps).toEqual([{ name: 'connect', status: 'ok', durationMs: 800 }]);
    live = applyRunEvent(live, { type: 'progress', runId: 'r1', progress: { bytes: 42, percent: 42, speedBps: 1 } });
    expect(live.cvs!.progress?.percent).toBe(42);
    expect(applyRunEvent(live, { type: 'run-finished', run: { ...run, status: 'succeeded' } })).toEqual({});
  });

  it('port 0 is "not bound yet": the bound port stays, and 0 is never shown', () => {
    let live = applyRunEvent({}, { type: 'run-started', run });
    live = applyRunEvent(live, { type: 'tunnel', runId: 'r1', state: 'requesting', port: 0 });
    expect(live.cvs!.tunnel).toEqual({ state: 'requesting' });
    live = applyRunEvent(live, { type: 'tunnel', runId: 'r1', state: 'up', port: 40123 });
    live = applyRunEvent(live, { type: 'tunnel', runId: 'r1', state: 'up', port: 0 });
    expect(live.cvs!.tunnel.port).toBe(40123);
  });

  it('an event without connections keeps the count while up; a tunnel that is not up has none', () => {
    let live = applyRunEvent({}, { type: 'run-started', run });
    live = applyRunEvent(live, { type: 'tunnel', runId: 'r1', state: 'up', port: 40123, connections: 2 });
    live = applyRunEvent(live, { type: 'tunnel', runId: 'r1', state: 'up' });
    expect(live.cvs!.tunnel).toEqual({ state: 'up', port: 40123, connections: 2 });
    live = applyRunEvent(live, { type: 'tunnel', runId: 'r1', state: 'closed', port: 40123 });
    expect(live.cvs!.tunnel).toEqual({ state: 'closed', port: 40123 });
  });

  it('ignores events of runs it does not know, and a finish of an older run of the same job', () => {
    const live = applyRunEvent({}, { type: 'run-started', run });
    expect(applyRunEvent(live, { type: 'progress', runId: 'other', progress: { bytes: 1, percent: 1, speedBps: 1 } })).toBe(live);
    expect(applyRunEvent(live, { type: 'run-finished', run: { ...run, id: 'r0', status: 'failed' } })).toBe(live);
    expect(applyRunEvent(live, { type: 'schedule', paused: true })).toBe(live);
  });
});
