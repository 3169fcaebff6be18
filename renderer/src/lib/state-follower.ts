/**
 * Keeps an app state current from a bridge: one `getState`, then the event
 * stream. The engine pushes the whole state after every change to a job's
 * status (at most one push per 100 ms), and between pushes the live runs
 * (steps, tunnel, progress) fold into it with the engine's own fold
 * (shared/live-runs.ts), so nothing here asks for the state again.
 *
 * A fetch and the stream race (an answer can leave the server before an
 * event and arrive after it), so events heard while the fetch is in flight
 * are replayed on its answer, and a whole `state` heard meanwhile wins over
 * the answer. Plain TypeScript, so it is tested without React.
 */
import type { AppEvent, AppState, BurrowBridge } from '../../../shared/api-contract';
import { applyRunEvent } from '../../../shared/live-runs';
import { errorMessage } from './errors';

export interface FollowerCallbacks {
  onState(state: AppState): void;
  /** Why the state cannot be fetched; undefined once it can again. */
  onError(message: string | undefined): void;
  /** A run of this job ended. */
  onRunFinished(job: string): void;
}

export interface StateFollower {
  /** Fetch the whole state now (coalesced with a fetch in flight): only needed when the stream was lost. */
  refresh(): void;
  stop(): void;
}

/** The state after one event: a push replaces it, anything else folds into its live runs. Never mutates its input. */
export function applyEvent(state: AppState | null, event: AppEvent): AppState | null {
  if (event.type === 'state') return event.state;
  if (state === null) return null;
  const live = applyRunEvent(state.live, event);
  return live === state.live ? state : { ...state, live };
}

/** Starts following; the first fetch goes out at once. */
export function followState(bridge: Pick<BurrowBridge, 'getState' | 'onEvent'>, cb: FollowerCallbacks): StateFollower {
  let current: AppState | null = null;
  let alive = true;
  /** Events heard while a fetch is in flight; undefined when none is. */
  let heard: AppEvent[] | undefined;
  let stateHeard = false;
  let again = false;

  const show = (next: AppState | null) => {
    if (next === current || next === null) return;
    current = next;
    cb.onState(next);
  };

  const refresh = () => {
    if (!alive) return;
    if (heard) {
      // The answer in flight may predate this change: ask once more after it.
      again = true;
      return;
    }
    heard = [];
    stateHeard = false;
    bridge
      .getState({})
      .then(
        (answer) => {
          if (!alive) return;
          cb.onError(undefined);
          if (stateHeard) return;
          let next: AppState | null = answer;
          for (const e of heard ?? []) next = applyEvent(next, e);
          show(next);
        },
        (err: unknown) => {
          if (alive) cb.onError(errorMessage(err));
        },
      )
      .finally(() => {
        heard = undefined;
        if (again && alive) {
          again = false;
          refresh();
        }
      });
  };

  const unsubscribe = bridge.onEvent((event) => {
    if (!alive) return;
    if (heard) {
      if (event.type === 'state') stateHeard = true;
      else heard.push(event);
    }
    show(applyEvent(current, event));
    if (event.type === 'state') cb.onError(undefined);
    if (event.type === 'run-finished') cb.onRunFinished(event.run.job);
  });
  refresh();

  return {
    refresh,
    stop() {
      alive = false;
      unsubscribe();
    },
  };
}
