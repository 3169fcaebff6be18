/**
 * The app state as the UI shows it, for as long as the component is mounted:
 * fetched once, then kept current from the bridge's events (see
 * `followState` for how the fetch and the stream are reconciled).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppState, BurrowBridge } from '../../../shared/api-contract';
import { followState, type StateFollower } from '../lib/state-follower';

export interface AppStateView {
  state: AppState | null;
  /** Why the state could not be fetched, while it cannot. */
  error: string | undefined;
  /** Goes up by one whenever a run finishes, so lists of runs know to reload. */
  runsVersion: number;
  /** Fetch the whole state now: only when the event stream was lost (an action's change arrives as a push). */
  refresh: () => void;
}

/** Subscribes to the bridge for the component's lifetime. */
export function useAppState(bridge: BurrowBridge): AppStateView {
  const [state, setState] = useState<AppState | null>(null);
  const [error, setError] = useState<string>();
  const [runsVersion, setRunsVersion] = useState(0);
  const follower = useRef<StateFollower | undefined>(undefined);

  useEffect(() => {
    const f = followState(bridge, {
      onState: setState,
      onError: setError,
      onRunFinished: () => setRunsVersion((v) => v + 1),
    });
    follower.current = f;
    return () => {
      f.stop();
      follower.current = undefined;
    };
  }, [bridge]);

  const refresh = useCallback(() => follower.current?.refresh(), []);
  return { state, error, runsVersion, refresh };
}
