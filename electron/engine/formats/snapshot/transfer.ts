/**
 * The `snapshot` format: the configured directories rsynced as trees into
 * `DEST/<job>/<YYYY-MM-DD>/`, with `--link-dest` to the previous snapshot,
 * so each day is a complete browsable tree while unchanged files cost a hard
 * link. Compression is on the wire (-z). Owners and modes are kept even when
 * the destination user is not root (`--fake-super` stores them in xattrs).
 *
 * A snapshot is written under `.<date>.partial` and renamed when complete:
 * a half-sent day never has a final name.
 */
import { dateStamp } from '../../../../shared/archive-names';
import { applyRetentionToDated, snapshotItems } from '../../../../shared/retention';
import { BurrowError } from '../../errors';
import { shScript } from '../../shell-quote';
import type { SshSession } from '../../ssh/ssh-session';
import type { RunContext, StepOutcome } from '../../run-context';
import { OUT_FORMAT } from '../../../../shared/rsync-output';
import { runRsyncOnSource, throughTunnel, transferCommand, tunnelRsyncOptions, tunnelSshCommand } from '../../tunnel-rsync';

/** `20261126` -> `2026-11-26` */
export const snapshotName = (stamp: string) => `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6)}`;

export function snapshotRoot(ctx: RunContext): string {
  return `${ctx.job.destination.path}/${ctx.job.name}`;
}

const LIST_SNAPSHOTS = 'mkdir -p -- "$1" && cd -- "$1" && for d in ????-??-??; do [ -d "$d" ] && printf "%s\\0" "$d"; done; exit 0';
const FINISH = 'cd -- "$1" && mv -T -- ".$2.partial" "$2"';
export const SOURCES_PRESENT =
  'for p; do [ -d "$p" ] || { echo "not a directory: $p" >&2; exit 66; }; [ -n "$(ls -A -- "$p")" ] || { echo "empty directory: $p" >&2; exit 65; }; done';

export async function listSnapshots(dest: SshSession, root: string, signal: AbortSignal): Promise<string[]> {
  const r = await dest.run(shScript(LIST_SNAPSHOTS, [root]), `listing snapshots in ${root}`, { signal });
  return r.stdout.split('\0').filter(Boolean).sort();
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

/** The snapshot transfer: rsync on the source into `.<today>.partial`, hard-linking unchanged files to `previous`. */
export function snapshotRsyncArgs(ctx: RunContext, knownHosts: string, previous: string | undefined): string[] {
  const root = snapshotRoot(ctx);
  const today = snapshotName(ctx.record.stamp);
  return [
    'rsync',
    '-aH',
    '--numeric-ids',
    '-z',
    ...fakeSuper(ctx),
    ...(previous ? [`--link-dest=${root}/${previous}`] : []),
    ...tunnelRsyncOptions(ctx, knownHosts),
    '--',
    ...ctx.job.paths,
    throughTunnel(ctx, `${root}/.${today}.partial/`),
  ];
}

export async function transferSnapshot(ctx: RunContext, knownHosts: string): Promise<StepOutcome> {
  const dest = ctx.destination!;
  const root = snapshotRoot(ctx);
  const today = snapshotName(ctx.record.stamp);
  const existing = await listSnapshots(dest, root, ctx.signal);
  if (existing.includes(today)) return { detail: `today's snapshot ${today} exists; nothing sent` };
  const previous = existing.filter((d) => d < today).pop();
  const argv = snapshotRsyncArgs(ctx, knownHosts, previous);
  const stats = await runRsyncOnSource(ctx, argv);
  await dest.run(shScript(FINISH, [root, today]), `completing snapshot ${today}`, { signal: ctx.signal });
  ctx.record.snapshot = { name: today, ...(previous ? { linkedTo: previous } : {}) };
  return {
    detail: `snapshot ${today}${previous ? ` (unchanged files linked to ${previous})` : ''}: ${stats.transferred.length} files sent, ${stats.bytesSent} bytes on the wire`,
    bytes: stats.bytesSent,
    command: transferCommand(ctx, argv),
  };
}

/**
 * Verifies today's snapshot by content: rsync compares every file by
 * checksum (a dry run) and must find nothing to send.
 */
export function verifySnapshotArgs(ctx: RunContext, knownHosts: string): string[] {
  const target = throughTunnel(ctx, `${snapshotRoot(ctx)}/${snapshotName(ctx.record.stamp)}/`);
  return ['rsync', '-rlc', '-n', `--out-format=${OUT_FORMAT}`, '-e', tunnelSshCommand(ctx.tunnel!.port, knownHosts), '--', ...ctx.job.paths, target];
}

export async function verifySnapshot(ctx: RunContext, knownHosts: string): Promise<StepOutcome> {
  const today = snapshotName(ctx.record.stamp);
  const argv = verifySnapshotArgs(ctx, knownHosts);
  const stats = await runRsyncOnSource(ctx, argv, { isTransfer: false });
  if (stats.transferred.length > 0) {
    throw new BurrowError(
      'verify-mismatch',
      `snapshot ${today} differs from the source in ${stats.transferred.length} file(s): ${stats.transferred.slice(0, 5).join(', ')}`,
    );
  }
  return { detail: `snapshot ${today} matches the source by checksum`, command: transferCommand(ctx, argv) };
}

const REMOVE_DIRS = 'cd -- "$1" || exit 66; shift; for d; do case "$d" in ????-??-??) rm -rf -- "$d";; esac; done';

/** Snapshots are deleted only here, by retention (the destination's, else keepDays), never the newest. */
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
