/**
 * Archive retention: the holding dir's archives older than keepDays (or
 * outside `retention`) are deleted by the date in the name (else mtime), as
 * the original prune_backups.sh did, and rsync's --delete carries that to
 * the destination; a destination with its own retention prunes itself
 * after verification.
 */
import { dateStamp, daysBetween, parseArchiveName, selectExpired, type HoldingFile } from '../../../../shared/archive-names';
import { applyRetention, durationDays } from '../../../../shared/retention';
import { listDir } from '../../destination-marker';
import { shScript } from '../../shell-quote';
import type { RunContext, StepOutcome } from '../../run-context';
import { nulPairs, type SshSession } from '../../ssh/ssh-session';
import { sshCommandFor } from '../../steps/commands';

/** NUL-separated name and mtime of each regular file directly in the dir. */
export const HOLDING_AGES_SCRIPT =
  '[ -d "$1" ] || exit 0; cd -- "$1" || exit 66; for f in * .[!.]* ..?*; do [ -f "$f" ] || continue; printf "%s\\0%s\\0" "$f" "$(stat -c %Y -- "$f")"; done';
/**
 * Removes archives "$2"... in dir "$1", and refuses any other name: the
 * source key's gate admits this script, so it must not delete what is not
 * an archive (authorized_keys, say) whatever it is asked.
 */
export const REMOVE_SCRIPT = `cd -- "$1" || exit 66; shift
for f; do case $f in */*|.*|-*) echo "not an archive name: $f" >&2; exit 64 ;; *.tar.bz2|*.tar.gz|*.tar.zst) ;; *) echo "not an archive name: $f" >&2; exit 64 ;; esac; done
rm -f -- "$@"`;

export async function removeFiles(session: SshSession, dir: string, names: string[], signal: AbortSignal): Promise<void> {
  await session.run(shScript(REMOVE_SCRIPT, [dir, ...names]), `removing ${names.length} file(s) in ${dir}`, { signal });
}

export async function listHolding(ctx: RunContext): Promise<HoldingFile[]> {
  const r = await ctx.source!.run(shScript(HOLDING_AGES_SCRIPT, [ctx.job.holdingDir]), `listing ${ctx.job.holdingDir}`, { signal: ctx.signal });
  return nulPairs(r.stdout).map(([name, mtime]) => ({ name, mtimeMs: Number(mtime) * 1000 }));
}

/** What the source's policy removes: `retention` when set, else the original keepDays rule. */
function expiredNames(ctx: RunContext, files: HoldingFile[]): { name: string; why: string }[] {
  const today = ctx.clock.now();
  if (!ctx.job.retention) {
    return selectExpired(files, today, ctx.job.keepDays).map((e) => ({ name: e.name, why: `${e.ageDays} days old, by ${e.by}` }));
  }
  const preview = applyRetention(
    files.map((f) => f.name),
    ctx.job.retention,
    dateStamp(today),
  );
  for (const w of preview.warnings) ctx.log('warn', w);
  return preview.remove.map((d) => ({ name: d.name, why: d.reasons.join(', ') }));
}

/**
 * A clock set far ahead makes every archive look old. When pruning would
 * delete every archive from before this run and the newest of them is more
 * than twice the retention window behind "today", believe the archives over
 * the clock: prune nothing and say why.
 */
function clockLooksWrong(ctx: RunContext, files: HoldingFile[], expired: { name: string }[]): string | undefined {
  const today = dateStamp(ctx.clock.now());
  const packedNow = new Set((ctx.record.packed ?? []).map((p) => p.name));
  const earlier = files
    .map((f) => parseArchiveName(f.name))
    .filter((p): p is NonNullable<typeof p> => p !== undefined && !packedNow.has(`${p.base}.${p.stamp}.tar.${p.ext}`));
  const future = earlier.filter((p) => p.stamp > today);
  // With a retention policy, applyRetention has already named each one.
  if (future.length > 0 && !ctx.job.retention)
    ctx.log('warn', `${future.length} archive(s) are dated after today (${today}): is the clock right? They are kept.`);
  if (earlier.length === 0) return undefined;
  const newest = earlier
    .map((p) => p.stamp)
    .sort()
    .pop()!;
  const window = ctx.job.retention?.keepWithin ? durationDays(ctx.job.retention.keepWithin) : ctx.job.keepDays;
  const gap = daysBetween(newest, today);
  const expiredSet = new Set(expired.map((e) => e.name));
  const allEarlierGo = earlier.every((p) => expiredSet.has(`${p.base}.${p.stamp}.tar.${p.ext}`));
  if (allEarlierGo && gap > 2 * window) {
    return `the clock says ${today}, ${gap} days after the newest archive (${newest}): is it right? Pruning would delete every earlier archive, so nothing was pruned`;
  }
  return undefined;
}

export async function pruneHolding(ctx: RunContext): Promise<StepOutcome> {
  const files = await listHolding(ctx);
  let expired = expiredNames(ctx, files);
  const suspicious = clockLooksWrong(ctx, files, expired);
  if (suspicious) {
    ctx.log('warn', suspicious);
    expired = [];
  }
  ctx.record.pruned = expired.map((e) => e.name);
  ctx.record.plan = { ...(ctx.record.plan ?? { pack: [], send: [], deleteAtDestination: [] }), pruneSource: ctx.record.pruned };
  const command = sshCommandFor(ctx.config, ctx.job.source, [
    'find',
    ctx.job.holdingDir,
    '-maxdepth',
    '1',
    '-type',
    'f',
    '-mtime',
    `+${ctx.job.keepDays}`,
    '-delete',
  ]);
  if (suspicious) return { detail: `nothing pruned: ${suspicious}`, command };
  if (expired.length === 0) return { detail: ctx.job.retention ? 'retention keeps every archive' : `nothing older than ${ctx.job.keepDays} days`, command };
  if (ctx.dryRun) return { detail: `would delete ${expired.map((e) => e.name).join(', ')}`, command };
  for (const e of expired) ctx.log('info', `pruning ${e.name} (${e.why})`);
  await removeFiles(
    ctx.source!,
    ctx.job.holdingDir,
    expired.map((e) => e.name),
    ctx.signal,
  );
  return { detail: `deleted ${expired.map((e) => e.name).join(', ')}`, command };
}

/**
 * When the destination keeps more than the source (its own retention
 * policy), deletion there is its own step, after the new archives were
 * verified, and never a side effect of rsync --delete.
 */
export async function pruneArchivesAtDestination(ctx: RunContext): Promise<StepOutcome> {
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
