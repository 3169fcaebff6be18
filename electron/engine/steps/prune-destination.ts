/**
 * When the destination keeps more than the source (its own retention
 * policy), deletion there is its own step, after the new archives were
 * verified, and never a side effect of rsync --delete.
 */
import { dateStamp } from '../../../shared/archive-names';
import { applyRetention, applyRetentionToDated, snapshotItems } from '../../../shared/retention';
import { shScript } from '../shell-quote';
import { listSnapshots, snapshotRoot } from './snapshot';
import type { RunContext, StepOutcome } from '../run-context';
import { sshCommandFor } from './commands';
import { listDir } from './guard';
import { removeFiles } from './prune';

export async function pruneDestinationStep(ctx: RunContext): Promise<StepOutcome> {
  if (ctx.job.format === 'snapshot') return pruneSnapshots(ctx);
  const policy = ctx.job.destination.retention;
  if (!policy) return { skipped: true, detail: 'no destination retention: deletions follow the source' };
  const dest = ctx.destination!;
  const listing = await listDir(dest, ctx.job.destination.path, ctx.signal);
  const preview = applyRetention([...listing.files.keys()], policy, dateStamp(ctx.clock.now()));
  for (const w of preview.warnings) ctx.log('warn', w);
  const names = preview.remove.map((d) => d.name);
  const command = sshCommandFor(ctx.config, ctx.job.destination.host, ['rm', '--', ...names.map((n) => `${ctx.job.destination.path}/${n}`)]);
  if (names.length === 0) return { detail: preview.summary, command };
  for (const d of preview.remove) ctx.log('info', `pruning ${d.name} at the destination (${d.reasons.join(', ')})`);
  await removeFiles(dest, ctx.job.destination.path, names, ctx.signal);
  ctx.record.prunedAtDestination = names;
  return { detail: preview.summary, command };
}

const REMOVE_DIRS = 'cd -- "$1" || exit 66; shift; for d; do case "$d" in ????-??-??) rm -rf -- "$d";; esac; done';

/** Snapshots are deleted only here, by retention (the destination's, else keepDays), never the newest. */
async function pruneSnapshots(ctx: RunContext): Promise<StepOutcome> {
  const root = snapshotRoot(ctx);
  const names = await listSnapshots(ctx.destination!, root, ctx.signal);
  const policy = ctx.job.destination.retention ?? ctx.job.retention ?? { keepDays: ctx.job.keepDays };
  const preview = applyRetentionToDated(snapshotItems(names), policy, dateStamp(ctx.clock.now()));
  for (const w of preview.warnings) ctx.log('warn', w);
  const newest = names[names.length - 1];
  const removed = preview.remove.filter((d) => d.name !== newest);
  const remove = removed.map((d) => d.name);
  if (remove.length > 0) {
    for (const d of removed) ctx.log('info', `pruning snapshot ${d.name} (${d.reasons.join(', ')})`);
    await ctx.destination!.run(shScript(REMOVE_DIRS, [root, ...remove]), `removing ${remove.length} old snapshot(s)`, { signal: ctx.signal });
    ctx.record.prunedAtDestination = remove;
  }
  return { detail: preview.summary.replaceAll('archive', 'snapshot') };
}
