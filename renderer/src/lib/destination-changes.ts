/**
 * What a save would do to backups already at a destination: a job whose
 * destination or format changes leaves its old backups where they are.
 * Pure, so Settings can say it before it saves (and tests can check it).
 */
import type { ConfigDocument } from '../../../shared/api-contract';
import { DEFAULT_FORMAT } from '../../../shared/formats';

interface JobLike {
  name?: unknown;
  format?: unknown;
  destination?: { host?: unknown; path?: unknown };
}

const jobsOf = (doc: ConfigDocument | undefined): JobLike[] => (doc && Array.isArray(doc.jobs) ? (doc.jobs as JobLike[]) : []);
const formatOf = (j: JobLike) => (typeof j.format === 'string' ? j.format : DEFAULT_FORMAT);
const where = (j: JobLike) => `${String(j.destination?.host ?? '')}:${String(j.destination?.path ?? '')}`;

/** What a save would change for jobs that already have backups, in words; empty when nothing. */
export function destinationChanges(saved: ConfigDocument | undefined, next: ConfigDocument): string[] {
  const before = new Map(jobsOf(saved).map((j) => [String(j.name), j]));
  const out: string[] = [];
  for (const j of jobsOf(next)) {
    const old = before.get(String(j.name));
    if (!old) continue;
    if (where(old) !== where(j))
      out.push(
        `Job ${String(j.name)} moves from ${where(old)} to ${where(j)}: the backups at ${where(old)} stay there, and Burrow no longer prunes or lists them. The new path is set up at the next run (it must be empty or set up first).`,
      );
    else if (formatOf(old) !== formatOf(j))
      out.push(
        `Job ${String(j.name)} changes from ${formatOf(old)} to ${formatOf(j)} at ${where(j)}: the ${formatOf(old)} backups there stay as they are and are no longer pruned. ` +
          `Runs are refused until you set the destination up again for ${formatOf(j)} (Set up destination, below, after saving), or choose a new path.`,
      );
  }
  return out;
}
