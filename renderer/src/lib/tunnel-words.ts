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

/** A hop of `burrow check` as the window gets it. */
interface CheckedHop {
  hop: string;
  status: 'pass' | 'fail' | 'skipped';
  cause?: string;
}

const fromCheck = (h: CheckedHop | undefined): HopState => (h === undefined ? 'idle' : h.status === 'pass' ? 'up' : h.status === 'fail' ? 'failed' : 'skipped');

/**
 * The tunnel diagram of a check: the source side is the login and the
 * forward's bind, the destination side the laptop's own login there and the
 * hop through the tunnel; the port is the one the bind got.
 */
export function checkHops(hops: readonly CheckedHop[]): { toSource: HopState; toDestination: HopState; port?: number } {
  const find = (name: string) => hops.find((h) => h.hop === name);
  const worst = (...states: HopState[]) =>
    states.find((s) => s === 'failed') ?? states.find((s) => s === 'skipped') ?? states.find((s) => s === 'idle') ?? 'up';
  const bind = find('forward bind on source');
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(bind?.cause ?? '')?.[1]);
  return {
    toSource: worst(fromCheck(find('laptop -> source')), fromCheck(bind)),
    toDestination: worst(fromCheck(find('laptop -> destination')), fromCheck(find('source -> destination through the tunnel'))),
    ...(port > 0 ? { port } : {}),
  };
}
