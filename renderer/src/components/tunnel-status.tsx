/**
 * One line on the reverse tunnel of a job's run: down, connecting, or up on
 * which source port.
 */
import type { LiveRun } from '../../../shared/api-contract';
import { describeTunnel } from '../lib/words';

export interface TunnelStatusProps {
  job: string;
  tunnel: LiveRun['tunnel'] | undefined;
}

/** `tunnel-<job>`, with the raw tunnel state in `data-state`. */
export function TunnelStatus({ job, tunnel }: TunnelStatusProps) {
  const state = tunnel?.state ?? 'down';
  const connections = tunnel?.state === 'up' && tunnel.connections !== undefined ? tunnel.connections : undefined;
  return (
    <p className={`tunnel tunnel-${state}`}>
      <span className="dot" aria-hidden="true" />
      {/* The text stays exactly the tunnel line; the connection count goes in the tooltip. */}
      <span
        data-testid={`tunnel-${job}`}
        data-state={state}
        title={connections !== undefined ? `${connections} connection${connections === 1 ? '' : 's'} through the tunnel` : undefined}
      >
        {describeTunnel(tunnel)}
      </span>
    </p>
  );
}
