/**
 * The guard in front of `--delete`, before any byte moves:
 *
 * - the destination must carry Burrow's marker once a run has succeeded
 *   there (an unmounted NFS directory looks empty, and rsync --delete would
 *   happily "sync" into it or empty it);
 * - the source's holding dir must not be empty;
 * - the deletions the transfer would make at the destination must be
 *   explained by retention (plus a configured margin).
 *
 * It also records the plan: what will be sent and deleted. A dry run stops
 * after this step.
 */
import { dateStamp, isArchiveName } from '../../../shared/archive-names';
import { applyRetention } from '../../../shared/retention';
import { BurrowError } from '../errors';
import { shScript } from '../shell-quote';
import { SshSession } from '../ssh/ssh-session';
import type { RunContext, StepOutcome } from '../run-context';
import { checkSnapshotSources } from './snapshot';

export const MARKER = '.burrow-destination';
/** What an interrupted rsync leaves behind: `.name.XXXXXX`. Deleting it is housekeeping. */
const RSYNC_TEMPORARY = /^\..+\.[A-Za-z0-9]{6}$/;

/** name NUL size NUL for visible regular files; then the marker's content after a "marker" NUL. */
export const LIST_WITH_MARKER_SCRIPT = `[ -d "$1" ] || { printf "missing\\0"; exit 0; }
cd -- "$1" || exit 66
for f in * .[!.]* ..?*; do [ -f "$f" ] && [ "$f" != "$2" ] && printf "%s\\0%s\\0" "$f" "$(wc -c < "$f" | tr -d ' ')"; done
if [ -f "$2" ]; then printf "marker\\0"; cat -- "$2"; fi; exit 0`;
const MARK_SCRIPT = 'umask 022 && mkdir -p -- "$1" && printf "%s\\n" "$3" > "$1/$2.tmp" && mv -f -- "$1/$2.tmp" "$1/$2"';

export interface Listing {
  files: Map<string, number>;
  marker?: string;
  /** The directory does not exist. */
  missing?: boolean;
}

export async function listDir(session: SshSession, dir: string, signal: AbortSignal): Promise<Listing> {
  const r = await session.run(shScript(LIST_WITH_MARKER_SCRIPT, [dir, MARKER]), `listing ${dir}`, { signal });
  if (r.stdout === 'missing\0') return { files: new Map(), missing: true };
  const [body, marker] = r.stdout.split('marker\0');
  const parts = (body ?? '').split('\0');
  const files = new Map<string, number>();
  for (let i = 0; i + 1 < parts.length; i += 2) files.set(parts[i]!, Number(parts[i + 1]));
  return marker === undefined ? { files } : { files, marker: marker.trim() };
}

export async function guardStep(ctx: RunContext): Promise<StepOutcome> {
  const { job, record } = ctx;
  const destPath = job.destination.path;
  ctx.destination ??= await SshSession.open({ config: ctx.config, hostName: job.destination.host, agents: ctx.agents, signal: ctx.signal });
  const [source, dest] = await Promise.all([listDir(ctx.source!, job.holdingDir, ctx.signal), listDir(ctx.destination, destPath, ctx.signal)]);

  if (dest.marker === undefined) {
    if (ctx.priorSuccess) {
      throw new BurrowError(
        'destination-marker',
        `${job.destination.host}:${destPath} has no ${MARKER} although earlier runs wrote there: is the backup volume (NFS) mounted? Nothing was sent or deleted.`,
      );
    }
    if (!ctx.dryRun) {
      const marker = JSON.stringify({ job: job.name, created: ctx.clock.now().toISOString() });
      await ctx.destination.run(shScript(MARK_SCRIPT, [destPath, MARKER, marker]), 'writing the destination marker', { signal: ctx.signal });
      ctx.log('info', `first run to ${job.destination.host}:${destPath}: wrote ${MARKER}`);
    }
  }

  if (job.format === 'snapshot') {
    // Snapshots never delete in the transfer; what could go wrong is sending nothing real.
    await checkSnapshotSources(ctx);
    record.plan = { pack: [], pruneSource: [], send: [...job.paths], deleteAtDestination: [] };
    return { detail: `${dest.marker !== undefined ? 'marker present' : 'marker written'}; sources present and not empty` };
  }
  // In a dry run the prune step only planned its deletions; count them as done...
  const pruned = new Set(record.plan?.pruneSource ?? []);
  for (const n of pruned) source.files.delete(n);
  // ...and the archives it would have packed as there (size unknown, so they count as to send).
  if (ctx.dryRun) for (const n of record.plan?.pack ?? []) source.files.set(n, -1);
  for (const n of [...source.files.keys()]) if (n.startsWith('.')) source.files.delete(n); // partial packs are never sent
  const sourceArchives = [...source.files.keys()].filter(isArchiveName);
  const send = [...source.files]
    .filter(([name, size]) => dest.files.get(name) !== size)
    .map(([name]) => name)
    .sort();
  const deletes = job.destination.retention ? [] : [...dest.files.keys()].filter((n) => !source.files.has(n)).sort();
  record.plan = { ...(record.plan ?? { pack: [], pruneSource: [] }), send, deleteAtDestination: deletes };

  if (sourceArchives.length === 0) {
    throw new BurrowError(
      'delete-guard',
      `the holding dir ${job.source}:${job.holdingDir} holds no archives: refusing to transfer, which would ${deletes.length ? `delete ${deletes.length} file(s) at the destination` : 'leave nothing backed up'}`,
    );
  }
  if (deletes.length > 0) {
    const policy = job.retention ?? { keepDays: job.keepDays };
    const byPolicy = new Set(applyRetention(deletes, policy, dateStamp(ctx.clock.now())).remove.map((d) => d.name));
    const unexplained = deletes.filter((n) => !pruned.has(n) && !byPolicy.has(n) && !RSYNC_TEMPORARY.test(n));
    if (unexplained.length > job.deleteMargin) {
      const message =
        `delete guard tripped: the transfer would delete ${unexplained.length} file(s) at ${job.destination.host}:${destPath} ` +
        `that retention does not explain (margin ${job.deleteMargin}): ${unexplained.join(', ')}. Nothing was sent or deleted.`;
      ctx.emit({ type: 'delete-guard', runId: record.id, job: job.name, files: unexplained, message });
      throw new BurrowError('delete-guard', message);
    }
  }
  return {
    detail: `${dest.marker !== undefined ? 'marker present' : 'marker written'}; ${send.length} to send, ${deletes.length} to delete at the destination`,
  };
}
