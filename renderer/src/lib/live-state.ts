/**
 * Folds the events the UI hears into the app state it shows. The server also
 * sends a whole `state` after each change; applying the small events here
 * keeps the live parts (steps, tunnel, progress) moving between those, and
 * `refetch` says when only a fresh `getState` can tell the whole truth.
 */
import type { AppEvent, AppState, LiveRun } from '../../../shared/api-contract';
import type { JobStatus } from '../../../shared/engine-events';

export interface Applied {
  state: AppState | null;
  /** Ask the bridge for the whole state again (derived fields such as next run changed). */
  refetch: boolean;
  /** A run of this job ended: views of past runs should reload. */
  finishedJob?: string;
}

function withLive(state: AppState, runId: string, change: (run: LiveRun) => LiveRun): AppState | undefined {
  const entry = Object.entries(state.live).find(([, run]) => run.runId === runId);
  if (!entry) return undefined;
  const [job, run] = entry;
  return { ...state, live: { ...state.live, [job]: change(run) } };
}

function withJob(state: AppState, job: string, change: (j: JobStatus) => JobStatus): AppState {
  return { ...state, jobs: state.jobs.map((j) => (j.job === job ? change(j) : j)) };
}

/** The state after one event. Never mutates its input. */
export function applyEvent(state: AppState | null, event: AppEvent): Applied {
  if (event.type === 'state') return { state: event.state, refetch: false };
  if (state === null) return { state, refetch: true };
  switch (event.type) {
    case 'run-started': {
      const { run } = event;
      const live: LiveRun = {
        runId: run.id,
        job: run.job,
        trigger: run.trigger,
        startedAt: run.startedAt,
        steps: run.steps,
        tunnel: { state: 'down' },
      };
      // Out of the queue, if it waited there.
      const next = withJob({ ...state, live: { ...state.live, [run.job]: live } }, run.job, ({ queued: _queued, ...j }) => ({ ...j, running: true }));
      return { state: next, refetch: false };
    }
    case 'step': {
      const next = withLive(state, event.runId, (run) => {
        const known = run.steps.some((s) => s.name === event.step.name);
        const steps = known ? run.steps.map((s) => (s.name === event.step.name ? event.step : s)) : [...run.steps, event.step];
        return { ...run, steps };
      });
      return next ? { state: next, refetch: false } : { state, refetch: true };
    }
    case 'tunnel': {
      const { state: tunnelState, port, connections } = event;
      const next = withLive(state, event.runId, (run) => ({
        ...run,
        tunnel: {
          state: tunnelState,
          ...(port !== undefined ? { port } : run.tunnel.port !== undefined ? { port: run.tunnel.port } : {}),
          ...(connections !== undefined ? { connections } : {}),
        },
      }));
      return next ? { state: next, refetch: false } : { state, refetch: true };
    }
    case 'progress': {
      const next = withLive(state, event.runId, (run) => ({ ...run, progress: event.progress }));
      return next ? { state: next, refetch: false } : { state, refetch: true };
    }
    case 'run-finished': {
      const { run } = event;
      const live = { ...state.live };
      if (live[run.job]?.runId === run.id) delete live[run.job];
      const next = withJob({ ...state, live }, run.job, (j) => ({
        ...j,
        running: false,
        lastRun: { id: run.id, status: run.status, startedAt: run.startedAt, ...(run.endedAt ? { endedAt: run.endedAt } : {}) },
        ...(run.status === 'succeeded' ? { lastSuccessAt: run.endedAt ?? run.startedAt, lastSuccessAgeMs: 0, stale: false } : {}),
      }));
      return { state: next, refetch: true, finishedJob: run.job };
    }
    case 'missed': {
      const next = withJob(state, event.job, (j) =>
        j.outstanding.some((o) => o.slot === event.slot) ? j : { ...j, outstanding: [...j.outstanding, { slot: event.slot, cause: event.cause }] },
      );
      return { state: next, refetch: true };
    }
    case 'caught-up': {
      const caught = new Set(event.slots);
      const next = withJob(state, event.job, (j) => ({ ...j, outstanding: j.outstanding.filter((o) => !caught.has(o.slot)) }));
      return { state: next, refetch: true };
    }
    case 'queued':
      // Where it waits (since when, how many ahead) comes with the whole state.
      return { state, refetch: true };
    case 'stale':
      return { state: withJob(state, event.job, (j) => ({ ...j, stale: true })), refetch: true };
    case 'schedule':
      return {
        state: { ...state, paused: event.paused, jobs: state.jobs.map((j) => ({ ...j, paused: event.paused })) },
        refetch: true,
      };
    default:
      // Logs and "busy" notices change nothing on screen by themselves.
      return { state, refetch: false };
  }
}
