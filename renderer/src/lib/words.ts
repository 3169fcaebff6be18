/**
 * The words the UI uses for the engine's states, in one place so the status
 * page, the history and the run detail say the same thing.
 */
import { STEP_NAMES, type RunStatus, type StepName, type StepRecord, type StepStatus } from '../../../shared/run-types';
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

/** What each step of a run does, in a word or two; the raw name stays in the tooltip. */
const STEP_LABELS: Record<StepName, string> = {
  connect: 'Connect',
  'clean-up': 'Clear leftovers',
  pack: 'Pack',
  prune: 'Prune source',
  guard: 'Safety check',
  tunnel: 'Open tunnel',
  transfer: 'Transfer',
  verify: 'Verify',
  'prune-destination': 'Prune destination',
  teardown: 'Tear down',
};

/** A step's name in words: `prune-destination` is "Prune destination". */
export function stepLabel(name: StepName): string {
  return STEP_LABELS[name] ?? name;
}

/** What a step does, for its tooltip: the words, then the raw name a log or `burrow run` prints. */
export const STEP_HINTS: Record<StepName, string> = {
  connect: 'log in to the source and the destination',
  'clean-up': 'remove what earlier, cut-off runs of this job left on the source and the destination (through the source gate)',
  pack: 'pack the paths into archives (or list them for a snapshot) on the source',
  prune: 'remove archives past retention from the holding dir',
  guard: 'refuse a transfer that would delete more than retention explains, or write to an unmounted destination',
  tunnel: 'open the reverse tunnel: the source listens on its loopback, the laptop relays to the destination',
  transfer: 'rsync on the source sends through the tunnel',
  verify: 'check what this run sent, and a sample of the rest',
  'prune-destination': 'apply the destination’s own retention',
  teardown: 'close the tunnel, remove temporary files, end the connections',
};

/**
 * The headline of a run under way: `"Running: transfer (7 of 10)"`, the step
 * running now and its place in the run; `"Starting…"` before the first.
 */
export function runHeadline(steps: readonly StepRecord[]): string {
  const running = steps.find((s) => s.status === 'running');
  if (!running) {
    const done = steps.filter((s) => s.status !== 'pending').length;
    return done === 0 ? 'Starting…' : 'Running…';
  }
  const place = STEP_NAMES.indexOf(running.name) + 1;
  return `Running: ${stepLabel(running.name).toLowerCase()} (${place} of ${STEP_NAMES.length})`;
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
