/**
 * Deletes holding-dir archives older than keepDays, by the date in the name
 * (else mtime), like the original prune_backups.sh. rsync's --delete then
 * carries the deletion to the destination.
 */
import { selectExpired, type HoldingFile } from '../../../shared/archive-names';
import { shScript } from '../shell-quote';
import type { RunContext, StepOutcome } from '../run-context';
import { sshCommandFor } from './commands';

/** NUL-separated name and mtime of each regular file directly in the dir. */
const LIST_SCRIPT = 'cd -- "$1" || exit 66; for f in * .[!.]* ..?*; do [ -f "$f" ] || continue; printf "%s\\0%s\\0" "$f" "$(stat -c %Y -- "$f")"; done';
const REMOVE_SCRIPT = 'cd -- "$1" || exit 66; shift; rm -f -- "$@"';

export async function listHolding(ctx: RunContext): Promise<HoldingFile[]> {
  const r = await ctx.source!.run(shScript(LIST_SCRIPT, [ctx.job.holdingDir]), `listing ${ctx.job.holdingDir}`, { signal: ctx.signal });
  const parts = r.stdout.split('\0');
  const files: HoldingFile[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) files.push({ name: parts[i]!, mtimeMs: Number(parts[i + 1]) * 1000 });
  return files;
}

export async function pruneStep(ctx: RunContext): Promise<StepOutcome> {
  const files = await listHolding(ctx);
  const expired = selectExpired(files, ctx.clock.now(), ctx.job.keepDays);
  ctx.record.pruned = expired.map((e) => e.name);
  const command = sshCommandFor(ctx.config, ctx.job.source, ['find', ctx.job.holdingDir, '-maxdepth', '1', '-type', 'f', '-mtime', `+${ctx.job.keepDays}`, '-delete']);
  if (expired.length === 0) return { detail: `nothing older than ${ctx.job.keepDays} days`, command };
  for (const e of expired) ctx.log('info', `pruning ${e.name} (${e.ageDays} days old, by ${e.by})`);
  await ctx.source!.run(shScript(REMOVE_SCRIPT, [ctx.job.holdingDir, ...expired.map((e) => e.name)]), 'removing expired archives', { signal: ctx.signal });
  return { detail: `deleted ${expired.map((e) => e.name).join(', ')}`, command };
}
