/**
 * Runs rsync on the source, through the tunnel, to the destination, the way
 * the job's storage format sends: the run's known_hosts on the source comes
 * first (see tunnel-rsync.ts), so rsync's ssh accepts only the pinned
 * destination.
 */
import type { RunContext, StepOutcome } from '../run-context';
import { writeSourceKnownHosts } from '../tunnel-rsync';

export async function transferStep(ctx: RunContext): Promise<StepOutcome> {
  return ctx.format.transfer(ctx, await writeSourceKnownHosts(ctx));
}
