/**
 * The words the UI uses for the engine's states, in one place so the status
 * page, the history and the run detail say the same thing.
 */
import type { TunnelState, RunStatus, StepStatus } from '../../../shared/run-types';
import type { MissedCause } from '../../../shared/missed-slots';
import { CAUSE_TEXT } from '../../../shared/notification-policy';

/** Why slots were missed, each cause once: `"the laptop was off; the laptop was asleep"`. */
export function describeCauses(causes: readonly MissedCause[]): string {
  return [...new Set(causes)].map((c) => CAUSE_TEXT[c] ?? c).join('; ');
}

/** `"1 slot"`, `"3 slots"`. */
export function slotCount(n: number): string {
  return `${n} slot${n === 1 ? '' : 's'}`;
}

/** The tunnel line of a job card. */
export function describeTunnel(tunnel: { state: TunnelState; port?: number } | undefined): string {
  if (!tunnel) return 'Tunnel down';
  switch (tunnel.state) {
    case 'requesting':
      return 'Tunnel connecting…';
    case 'up':
      return tunnel.port !== undefined ? `Tunnel up: source port ${tunnel.port} → destination` : 'Tunnel up → destination';
    default:
      return 'Tunnel down';
  }
}

const RUN_WORDS: Record<RunStatus, string> = {
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** A run status as a word; unknown statuses pass through. */
export function runStatusWord(status: string): string {
  return RUN_WORDS[status as RunStatus] ?? status;
}

const STEP_WORDS: Record<StepStatus, string> = {
  pending: 'waiting',
  running: 'running',
  ok: 'done',
  failed: 'failed',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

/** A step status as a word. */
export function stepStatusWord(status: StepStatus): string {
  return STEP_WORDS[status] ?? status;
}
