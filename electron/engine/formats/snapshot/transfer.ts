/**
 * The `snapshot` format: the configured directories rsynced as trees into
 * `DEST/<job>/<YYYY-MM-DD>/`, with `--link-dest` to the previous snapshot,
 * so each day is a complete browsable tree while unchanged files cost a hard
 * link. Compression is on the wire (-z). Owners and modes are kept even when
 * the destination user is not root (`--fake-super` stores them in xattrs).
 *
 * A snapshot is written under `.<date>.partial` and renamed when complete:
 * a half-sent day never has a final name. A second run on the same day
 * writes a new `.<date>.partial` linked to that day's snapshot and swaps it
 * in, so what changed since is backed up now, not tomorrow.
 */
import { dateStamp } from '../../../../shared/archive-names';
import { applyRetentionToDated, snapshotItems } from '../../../../shared/retention';
import type { Listing } from '../../destination-marker';
import { BurrowError } from '../../errors';
import { shScript } from '../../shell-quote';
import type { SshSession } from '../../ssh/ssh-session';
import type { RunContext, StepOutcome } from '../../run-context';
import { runRsyncOnSource, throughTunnel, transferCommand, tunnelRsyncOptions } from '../../tunnel-rsync';
import { META, listDays, snapshotName, snapshotRoot } from './layout';

export { snapshotName, snapshotRoot } from './layout';

const LIST_SNAPSHOTS = 'mkdir -p -- "$1" && cd -- "$1" && for d in ????-??-??; do [ -d "$d" ] && printf "%s\\0" "$d"; done; exit 0';
/** Swaps the finished `.$2.partial` in as day "$2" (replacing an earlier snapshot of the same day). */
const FINISH = `cd -- "$1" || exit 66
if [ -d "$2" ]; then rm -rf -- ".$2.replaced" && mv -T -- "$2" ".$2.replaced" || exit 73; fi
mv -T -- ".$2.partial" "$2" || exit 73
rm -rf -- ".$2.replaced"`;
export const SOURCES_PRESENT =
  'for p; do [ -d "$p" ] || { echo "not a directory: $p" >&2; exit 66; }; [ -n "$(ls -A -- "$p")" ] || { echo "empty directory: $p" >&2; exit 65; }; done';

export async function listSnapshots(dest: SshSession, root: string, signal: AbortSignal): Promise<string[]> {
  const r = await dest.run(shScript(LIST_SNAPSHOTS, [root]), `listing snapshots in ${root}`, { signal });
  return r.stdout.split('\0').filter(Boolean).sort();
}

/** How many days the destination holds for this job (nothing created). */
export async function countSnapshots(ctx: RunContext, listing: Listing): Promise<number> {
  if (listing.missing) return 0;
  return (await listDays(ctx.destination!, snapshotRoot(ctx), ctx.signal)).length;
}

/**
 * The guard of a snapshot: snapshots never delete in the transfer; what
 * could go wrong is sending nothing real, so a missing or empty source
 * directory (a wrong path or a missing mount) is refused.
 */
export async function guardSnapshot(ctx: RunContext): Promise<string> {
  const r = await ctx.source!.exec(shScript(SOURCES_PRESENT, ctx.job.paths), { signal: ctx.signal });
  if (r.code !== 0) {
    throw new BurrowError('delete-guard', `refusing to snapshot ${ctx.job.source}: ${r.stderr.trim() || `exit ${r.code}`} (a wrong path or a missing mount?)`);
  }
  ctx.record.plan = { pack: [], pruneSource: [], send: [...ctx.job.paths], deleteAtDestination: [] };
  return 'sources present and not empty';
}

export function fakeSuper(ctx: RunContext): string[] {
  // rsync as root at the destination can own files itself.
  return ctx.destinationHost.user === 'root' ? [] : ['-M--fake-super'];
}

/**
 * The snapshot transfer: rsync on the source into `.<today>.partial`,
 * hard-linking unchanged files to `linkTo` (the previous day, or today's
 * own snapshot when the run updates it). --delete-delay clears what an
 * interrupted run left in the partial directory and the source no longer has.
 */
export function snapshotRsyncArgs(ctx: RunContext, knownHosts: string, linkTo: string | undefined): string[] {
  const root = snapshotRoot(ctx);
  const today = snapshotName(ctx.record.stamp);
  return [
    'rsync',
    '-aH',
    '--numeric-ids',
    '-z',
    '--delete-delay',
    // The whole file list up front: a day's tree is mostly hard links, and incremental
    // recursion's round trip per directory through the tunnel cost a third of the transfer.
    '--no-inc-recursive',
    ...fakeSuper(ctx),
    ...(linkTo ? [`--link-dest=${root}/${linkTo}`] : []),
    ...tunnelRsyncOptions(ctx, knownHosts),
    '--',
    ...ctx.job.paths,
    throughTunnel(ctx, `${root}/.${today}.partial/`),
  ];
}

/** What the transfer learned that the verify step needs: the symlinks rsync made (fake-super stores them as files). */
export interface SnapshotSent {
  symlinks: string[];
}

export async function transferSnapshot(ctx: RunContext, knownHosts: string): Promise<StepOutcome> {
  const dest = ctx.destination!;
  const root = snapshotRoot(ctx);
  const today = snapshotName(ctx.record.stamp);
  const existing = await listSnapshots(dest, root, ctx.signal);
  const updating = existing.includes(today);
  const previous = existing.filter((d) => d < today).pop();
  const linkTo = updating ? today : previous;
  const argv = snapshotRsyncArgs(ctx, knownHosts, linkTo);
  const stats = await runRsyncOnSource(ctx, argv);
  sentBy.set(ctx, { symlinks: stats.symlinks });
  await dest.run(shScript(FINISH, [root, today]), `completing snapshot ${today}`, { signal: ctx.signal });
  ctx.record.snapshot = { name: today, ...(previous ? { linkedTo: previous } : {}), ...(updating ? { updated: true } : {}) };
  const how = updating ? `updated today's snapshot ${today}` : `snapshot ${today}${previous ? ` (unchanged files linked to ${previous})` : ''}`;
  return {
    detail: `${how}: ${stats.transferred.length} files sent, ${stats.bytesSent} bytes on the wire`,
    bytes: stats.bytesSent,
    command: transferCommand(ctx, argv),
  };
}

/** Per run: what its transfer made that the record does not keep (see SnapshotSent); gone with the run. */
export const sentBy = new WeakMap<RunContext, SnapshotSent>();

const REMOVE_DIRS = `cd -- "$1" || exit 66; shift
for d; do case "$d" in ????-??-??) rm -rf -- "$d" "${META}/$d.files" "${META}/$d.sent" "${META}/$d.json";; esac; done`;

/** Snapshots are deleted only here, by retention (the destination's, else keepDays), never the newest; their manifests go with them. */
export async function pruneSnapshotsAtDestination(ctx: RunContext): Promise<StepOutcome> {
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
