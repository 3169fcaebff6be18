/**
 * The reverse tunnel of a job: while a run is under way, the diagram of its
 * hops with the bound port; between runs, one neutral line saying that the
 * tunnel opens only during a run (a closed tunnel is no fault).
 */
import type { LiveRun } from '../../../shared/api-contract';
import { describeTunnel, tunnelHops } from '../lib/tunnel-words';
import { TunnelDiagram } from './tunnel-diagram';

export interface TunnelStatusProps {
  job: string;
  tunnel: LiveRun['tunnel'] | undefined;
  /** Whether a run is under way (its tunnel may not be asked for yet). */
  running: boolean;
  source?: string | undefined;
  destination?: string | undefined;
}

/** `tunnel-<job>` (the line, raw state in `data-state`), and during a run `tunnel-diagram-<job>`. */
export function TunnelStatus({ job, tunnel, running, source, destination }: TunnelStatusProps) {
  const state = running ? (tunnel?.state ?? 'down') : 'idle';
  const hops = tunnelHops(tunnel);
  return (
    <div className={`tunnel tunnel-${state}`}>
      <p className="tunnel-line">
        <span className="dot" aria-hidden="true" />
        <span data-testid={`tunnel-${job}`} data-state={state}>
          {running ? describeTunnel(tunnel) : 'Tunnel opens at the next run'}
        </span>
      </p>
      {running ? (
        <TunnelDiagram
          testId={`tunnel-diagram-${job}`}
          source={source}
          destination={destination}
          toSource={hops.toSource}
          toDestination={hops.toDestination}
          port={tunnel?.port}
          connections={tunnel?.connections}
        />
      ) : null}
    </div>
  );
}
