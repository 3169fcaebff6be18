/**
 * Sending archives: the guard in front of rsync's --delete, the transfer
 * of the holding dir through the tunnel (yesterday's archive as the basis
 * for today's), and the check that every archive arrived byte for byte.
 */
import { dateStamp, isArchiveName } from '../../../../shared/archive-names';
import type { ArchiveInfo } from '../../../../shared/run-types';
import { applyRetention } from '../../../../shared/retention';
import { listDir, MARKER, type Listing } from '../../destination-marker';
import { BurrowError } from '../../errors';
import { shScript } from '../../shell-quote';
import { SshSession } from '../../ssh/ssh-session';
import type { RunContext, StepOutcome } from '../../run-context';
import { ARCHIVE_CYCLE_DAYS, cycleWords, dayOfStamp, inBucket } from '../days';
import { testArchives } from './test-restore';
import { sshCommandFor } from '../../steps/commands';
import { runRsyncOnSource, throughTunnel, transferCommand, tunnelRsyncOptions } from '../../tunnel-rsync';

/** What an interrupted rsync leaves behind: `.name.XXXXXX`. Deleting it is housekeeping. */
const RSYNC_TEMPORARY = /^\..+\.[A-Za-z0-9]{6}$/;

/**
 * The guard in front of `--delete`, before any byte moves: the holding dir
 * must not be empty, and the deletions the transfer would make at the
 * destination must be explained by retention (plus the job's margin).
 * Records the plan: what will be sent and deleted.
 */
export async function guardArchives(ctx: RunContext, dest: Listing): Promise<string> {
  const { job, record } = ctx;
  const destPath = job.destination.path;
  const source = await listDir(ctx.source!, job.holdingDir, ctx.signal);
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
  return `${send.length} to send, ${deletes.length} to delete at the destination`;
}

/**
 * Deletion at the destination: none when it keeps its own retention (its
 * prune step deletes); otherwise --delete-delay, with the marker protected
 * and --max-delete set to what the guard approved (or the job's own fuse).
 */
function deleteArgs(ctx: RunContext): string[] {
  if (ctx.job.destination.retention) return [];
  const approved = ctx.record.plan?.deleteAtDestination.length ?? 0;
  const fuse = Math.min(approved, ctx.job.maxDelete ?? Number.POSITIVE_INFINITY);
  return ['--delete-delay', `--max-delete=${fuse}`, `--filter=P /${MARKER}`];
}

export function rsyncArgs(ctx: RunContext, knownHosts: string): string[] {
  return [
    'rsync',
    '-rlptgo',
    '-u',
    // No -s (--protect-args): rsync 3.2.4+ escapes remote arguments itself,
    // and rrsync (the restricted destination key's forced command) refuses -s.
    ...deleteArgs(ctx),
    '--delay-updates',
    // A new day's archive has a new name: let rsync use yesterday's as its basis.
    '--fuzzy',
    '--exclude=.*.partial.*',
    `--exclude=/${MARKER}`,
    ...tunnelRsyncOptions(ctx, knownHosts),
    '--',
    `${ctx.job.holdingDir}/`,
    throughTunnel(ctx, `${ctx.job.destination.path}/`),
  ];
}

export async function transferArchives(ctx: RunContext, knownHosts: string): Promise<StepOutcome> {
  const argv = rsyncArgs(ctx, knownHosts);
  const stats = await runRsyncOnSource(ctx, argv);
  const detail = `${stats.transferred.length} sent, ${stats.deleted.length} deleted at ${ctx.job.destination.host}, ${stats.bytesSent} bytes on the wire`;
  return { detail, bytes: stats.bytesSent, command: transferCommand(ctx, argv) };
}

/** For each named file directly in dir "$1" (a name, never a path): name NUL size NUL sha256 NUL, or name NUL "missing" NUL NUL. */
export const SUMS_SCRIPT = `cd -- "$1" || exit 66; shift
for f; do
  case $f in */*|.|..) echo "not a file name: $f" >&2; exit 64 ;; esac
  if [ -f "$f" ]; then printf "%s\\0%s\\0%s\\0" "$f" "$(wc -c < "$f" | tr -d ' ')" "$(sha256sum < "$f" | cut -d' ' -f1)"
  else printf "%s\\0missing\\0\\0" "$f"; fi
done`;

export async function sums(session: SshSession, dir: string, names: string[], signal: AbortSignal): Promise<Map<string, ArchiveInfo | 'missing'>> {
  const out = new Map<string, ArchiveInfo | 'missing'>();
  if (names.length === 0) return out;
  const r = await session.run(shScript(SUMS_SCRIPT, [dir, ...names]), `checksumming ${dir}`, { signal });
  const parts = r.stdout.split('\0');
  for (let i = 0; i + 2 < parts.length; i += 3) {
    const [name, size, sha256] = [parts[i]!, parts[i + 1]!, parts[i + 2]!];
    out.set(name, size === 'missing' ? 'missing' : { name, size: Number(size), sha256 });
  }
  return out;
}

/**
 * The verify step for archives. In full, what this run sent: the archives
 * it packed (against the size and SHA-256 the pack step took on the source)
 * and any other file rsync itemized (checksummed on the source now), each
 * against its copy at the destination. Then a rolling sample of the rest:
 * the archives in this day's bucket of a 28-day cycle are test-restored at
 * the destination (decompress test, tar listing, SHA-256 against the one
 * recorded when they were sent), so each is checked once while it is kept.
 */
export async function verifyArchivesArrived(ctx: RunContext): Promise<StepOutcome> {
  const { job } = ctx;
  ctx.destination ??= await SshSession.open({ config: ctx.config, hostName: job.destination.host, agents: ctx.agents, signal: ctx.signal });
  const packed = new Map((ctx.record.packed ?? []).map((p) => [p.name, p]));
  const sent = [...new Set([...packed.keys(), ...(ctx.record.transfer?.transferred ?? []).filter((n) => !n.includes('/'))])].sort();
  const others = sent.filter((n) => !packed.has(n));
  const [atSource, atDest, listing] = await Promise.all([
    sums(ctx.source!, job.holdingDir, others, ctx.signal),
    sums(ctx.destination, job.destination.path, sent, ctx.signal),
    listDir(ctx.destination, job.destination.path, ctx.signal),
  ]);
  const bad: string[] = [];
  const verified: ArchiveInfo[] = [];
  let bytes = 0;
  for (const name of sent) {
    const s = packed.get(name) ?? atSource.get(name);
    const d = atDest.get(name);
    if (!s || s === 'missing') continue; // vanished from the source since the transfer
    if (!d || d === 'missing') bad.push(`${name} is missing`);
    else if (d.size !== s.size || d.sha256 !== s.sha256)
      bad.push(`${name} differs (source ${s.size} bytes ${s.sha256?.slice(0, 12)}, destination ${d.size} bytes ${d.sha256?.slice(0, 12)})`);
    else {
      verified.push(s);
      bytes += s.size;
    }
  }
  ctx.record.verified = verified;
  const today = dayOfStamp(ctx.record.stamp);
  const pool = [...listing.files.keys()].filter((n) => isArchiveName(n) && !sent.includes(n)).sort();
  const sample = pool.filter((n) => inBucket(n, today, ARCHIVE_CYCLE_DAYS));
  const tested = await testArchives(ctx.destination, job.destination.path, sample, ctx.records?.recordedSums(job.name) ?? new Map(), ctx.signal);
  const sampleProblems = tested.filter((t) => !t.ok).map((t) => `${t.name}: ${t.problems.join(', ')}`);
  if (tested.length > 0) await ctx.records?.recordVerify(job.name, ctx.clock.now().toISOString(), tested);
  ctx.record.verification = {
    full: { what: `${sent.length} archive(s) sent`, items: sent.length, bytes },
    sample: { what: 'stored archives', items: sample.length, of: pool.length, cycle: cycleWords(today, ARCHIVE_CYCLE_DAYS), problems: sampleProblems },
  };
  const problems = [...bad, ...sampleProblems.map((p) => `sample: ${p}`)];
  if (problems.length > 0) throw new BurrowError('verify-mismatch', `on ${job.destination.host}: ${problems.join('; ')}`);
  return {
    detail:
      `${verified.length} sent file${verified.length === 1 ? '' : 's'} match by size and SHA-256; ` +
      `sample of the store: ${sample.length} of ${pool.length} archive(s) test-restored ok (${cycleWords(today, ARCHIVE_CYCLE_DAYS)})`,
    bytes,
    command: sshCommandFor(ctx.config, job.destination.host, shScript('cd -- "$1" && sha256sum -- *', [job.destination.path])),
  };
}
