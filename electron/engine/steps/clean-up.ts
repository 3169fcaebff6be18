/**
 * The clean-up step, right after connect: what earlier runs of this job left
 * behind when they were cut off (the laptop slept, roamed or was killed, the
 * source restarted) is removed before this run makes anything new. Only
 * Burrow's own, by exact shape: on the source, this job's temporary
 * directories (and any of this user's older than a day) and half-written
 * archives whose packing process is gone; at the destination, rsync's
 * delay-updates directory and half-sent snapshot days, and only at a
 * destination whose marker is this job's. The laptop holds the job's lock,
 * so no run of the job is under way elsewhere on it. What was removed is in
 * the record (`cleanedUp`) and the log; a leftover that cannot be removed is
 * a warning, never a failed backup.
 */
import { isCancelled } from '../errors';
import { listDir, parseMarker } from '../destination-marker';
import type { Leftover } from '../formats/storage-format';
import { shScript } from '../shell-quote';
import { nulPairs } from '../ssh/ssh-session';
import { STALE_TMP_SCRIPT } from '../tunnel-rsync';
import type { RunContext, StepOutcome } from '../run-context';
import { sshCommandFor } from './commands';
import { openDestination } from './connect';

/** The source's side of the clean-up, as run and as the step shows it. */
const staleTmp = (ctx: RunContext) => shScript(STALE_TMP_SCRIPT, [ctx.job.name]);

async function cleanSourceTmp(ctx: RunContext): Promise<Leftover[]> {
  const r = await ctx.source!.run(staleTmp(ctx), 'looking for temporary directories of earlier runs', { signal: ctx.signal });
  return nulPairs(r.stdout).map(([why, path]) => ({
    path,
    removed: true,
    why: why === 'run' ? `the temporary directory of an earlier run of ${ctx.job.name}` : 'a Burrow temporary directory older than a day',
  }));
}

/** At the destination only when its marker says it is this job's (an unmounted or foreign directory is the guard's business). */
async function cleanDestination(ctx: RunContext): Promise<Leftover[]> {
  const listing = await listDir(await openDestination(ctx), ctx.job.destination.path, ctx.signal);
  if (listing.marker === undefined) return [];
  const marker = parseMarker(listing.marker);
  if ((marker.job !== undefined && marker.job !== ctx.job.name) || (marker.format !== undefined && marker.format !== ctx.job.format)) return [];
  return ctx.format.cleanDestination(ctx);
}

export async function cleanUpStep(ctx: RunContext): Promise<StepOutcome> {
  const found: (Leftover & { host: string })[] = [];
  const problems: string[] = [];
  const attempt = async (host: string, fn: () => Promise<Leftover[]>) => {
    try {
      for (const l of await fn()) found.push({ ...l, host });
    } catch (err) {
      if (isCancelled(err) || ctx.signal.aborted) throw err;
      problems.push(`${host}: ${(err as Error).message}`);
    }
  };
  await attempt(ctx.job.source, () => cleanSourceTmp(ctx));
  await attempt(ctx.job.source, () => ctx.format.cleanSource(ctx));
  await attempt(ctx.job.destination.host, () => cleanDestination(ctx));

  const removed = found.filter((l) => l.removed);
  if (removed.length > 0) ctx.record.cleanedUp = removed.map((l) => `${l.host}:${l.path}`);
  for (const l of found) ctx.log('info', l.removed ? `removed ${l.host}:${l.path} (${l.why})` : `left ${l.host}:${l.path} as it is: ${l.why}`);
  if (problems.length > 0) ctx.log('warn', `clean-up: ${problems.join('; ')}; what is left stays until a later run removes it`);
  const kept = found.length - removed.length;
  const detail =
    (removed.length > 0
      ? `removed ${removed.length} leftover(s) of earlier runs: ${removed.map((l) => `${l.host}:${l.path}`).join(', ')}`
      : 'nothing left behind by earlier runs') +
    (kept > 0 ? `; ${kept} still in use, left as ${kept === 1 ? 'it is' : 'they are'}` : '') +
    (problems.length > 0 ? `; could not look everywhere (${problems.join('; ')})` : '');
  return {
    detail,
    command: sshCommandFor(ctx.config, ctx.job.source, staleTmp(ctx)),
  };
}
