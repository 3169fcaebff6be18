/**
 * Runs rsync on the source, through the tunnel, to the destination, the way
 * the job's storage format sends: the run's known_hosts on the source comes
 * first (see tunnel-rsync.ts), so rsync's ssh accepts only the pinned
 * destination. After the first transfer to a destination, its marker
 * records that it holds backups (see destination-marker.ts).
 */
import { markBackupsWritten } from '../destination-marker';
import type { RunContext, StepOutcome } from '../run-context';
import { writeSourceKnownHosts } from '../tunnel-rsync';

export async function transferStep(ctx: RunContext): Promise<StepOutcome> {
  const out = await ctx.format.transfer(ctx, await writeSourceKnownHosts(ctx, { run: true }));
  await markBackupsWritten(ctx);
  return out;
}
