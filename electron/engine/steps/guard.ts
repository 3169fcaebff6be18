/**
 * The guard in front of the transfer, before any byte moves: the
 * destination's marker (see destination-marker.ts), then the job's storage
 * format refuses what would lose data (an empty holding dir, deletions
 * retention does not explain, an empty source tree) and records the plan.
 * A dry run stops after this step.
 */
import { checkMarker, listDir } from '../destination-marker';
import type { RunContext, StepOutcome } from '../run-context';
import { openDestination } from './connect';

export async function guardStep(ctx: RunContext): Promise<StepOutcome> {
  const dest = await listDir(await openDestination(ctx), ctx.job.destination.path, ctx.signal);
  const marker = await checkMarker(ctx, dest);
  return { detail: `${marker}; ${await ctx.format.guard(ctx, dest)}` };
}
