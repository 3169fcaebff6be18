/**
 * The tunnel of a live run in words and hop states, for the job card's line
 * and diagram. Pure.
 */
import type { LiveRun } from '../../../shared/api-contract';

/** One hop of the tunnel diagram. */
export type HopState = 'idle' | 'opening' | 'up' | 'failed' | 'skipped';

/** The tunnel line during a run. */
export function describeTunnel(tunnel: LiveRun['tunnel'] | undefined): string {
  switch (tunnel?.state) {
    case 'requesting':
      return 'Tunnel opening…';
    case 'up':
      return tunnel.port !== undefined ? `Tunnel up: source port ${tunnel.port} → this laptop → destination` : 'Tunnel up → destination';
    case 'failed':
      return 'Tunnel failed';
    case 'closed':
      return 'Tunnel closed';
    default:
      return 'Tunnel not open yet';
  }
}

/** Each hop's state from the tunnel's: the source side is the forward, the destination side the relay's connections. */
export function tunnelHops(tunnel: LiveRun['tunnel'] | undefined): { toSource: HopState; toDestination: HopState } {
  switch (tunnel?.state) {
    case 'requesting':
      return { toSource: 'opening', toDestination: 'idle' };
    case 'up':
      return { toSource: 'up', toDestination: (tunnel.connections ?? 0) > 0 ? 'up' : 'opening' };
    case 'failed':
      return { toSource: 'failed', toDestination: 'idle' };
    default:
      return { toSource: 'idle', toDestination: 'idle' };
  }
}
