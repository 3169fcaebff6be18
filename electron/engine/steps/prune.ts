/**
 * Deletes holding-dir archives older than keepDays, by the date in the name
 * (else mtime), like the original prune_backups.sh. rsync's --delete then
 * carries the deletion to the destination.
 */
import { dateStamp, selectExpired, type HoldingFile } from '../../../shared/archive-names';
import { applyRetention } from '../../../shared/retention';
import { shScript } from '../shell-quote';
import type { RunContext, StepOutcome } from '../run-context';
import type { SshSession } from '../ssh/ssh-session';
import { sshCommandFor } from './commands';

/** NUL-separated name and mtime of each regular file directly in the dir. */
const LIST_SCRIPT = '[ -d "$1" ] || exit 0; cd -- "$1" || exit 66; for f in * .[!.]* ..?*; do [ -f "$f" ] || continue; printf "%s\\0%s\\0" "$f" "$(stat -c %Y -- "$f")"; done';
const REMOVE_SCRIPT = 'cd -- "$1" || exit 66; shift; rm -f -- "$@"';

export async function removeFiles(session: SshSession, dir: string, names: string[], signal: AbortSignal): Promise<void> {
  await session.run(shScript(REMOVE_SCRIPT, [dir, ...names]), `removing ${names.length} file(s) in ${dir}`, { signal });
}

export async function listHolding(ctx: RunContext): Promise<HoldingFile[]> {
  const r = await ctx.source!.run(shScript(LIST_SCRIPT, [ctx.job.holdingDir]), `listing ${ctx.job.holdingDir}`, { signal: ctx.signal });
  if (r.stdout === '') return [];
  const parts = r.stdout.split('\0');
  const files: HoldingFile[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) files.push({ name: parts[i]!, mtimeMs: Number(parts[i + 1]) * 1000 });
  return files;
}

/** What the source's policy removes: `retention` when set, else the original keepDays rule. */
function expiredNames(ctx: RunContext, files: HoldingFile[]): { name: string; why: string }[] {
  const today = ctx.clock.now();
  if (!ctx.job.retention) {
    return selectExpired(files, today, ctx.job.keepDays).map((e) => ({ name: e.name, why: `${e.ageDays} days old, by ${e.by}` }));
  }
  const preview = applyRetention(files.map((f) => f.name), ctx.job.retention, dateStamp(today));
  for (const w of preview.warnings) ctx.log('warn', w);
  return preview.remove.map((d) => ({ name: d.name, why: d.reasons.join(', ') }));
}

export async function pruneStep(ctx: RunContext): Promise<StepOutcome> {
  if (ctx.job.format === 'snapshot') return { skipped: true, detail: 'snapshot format: no holding dir; old snapshots are pruned at the destination' };
  const files = await listHolding(ctx);
  const expired = expiredNames(ctx, files);
  ctx.record.pruned = expired.map((e) => e.name);
  ctx.record.plan = { ...(ctx.record.plan ?? { pack: [], send: [], deleteAtDestination: [] }), pruneSource: ctx.record.pruned };
  const command = sshCommandFor(ctx.config, ctx.job.source, ['find', ctx.job.holdingDir, '-maxdepth', '1', '-type', 'f', '-mtime', `+${ctx.job.keepDays}`, '-delete']);
  if (expired.length === 0) return { detail: ctx.job.retention ? 'retention keeps every archive' : `nothing older than ${ctx.job.keepDays} days`, command };
  if (ctx.dryRun) return { detail: `would delete ${expired.map((e) => e.name).join(', ')}`, command };
  for (const e of expired) ctx.log('info', `pruning ${e.name} (${e.why})`);
  await removeFiles(ctx.source!, ctx.job.holdingDir, expired.map((e) => e.name), ctx.signal);
  return { detail: `deleted ${expired.map((e) => e.name).join(', ')}`, command };
}
