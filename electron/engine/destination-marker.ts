/**
 * Burrow's marker at the destination, `.burrow-destination`: it says that a
 * path was set up as a backup destination (by `burrow init-destination`, the
 * Settings button, or the first run to a new path), for which job and
 * format, and since when it holds backups. An unmounted NFS directory looks
 * empty, and rsync --delete would "sync" into it or empty it: the guard
 * reads the marker's own contents to tell a destination that was never set
 * up from one that was and now looks empty. Also the listing of a
 * directory's plain files with the marker's content, which the guard, the
 * archive format and `burrow backups` share.
 */
import { FORMATS, type FormatName } from '../../shared/formats';
import type { DestinationSetupView } from '../../shared/api-contract';
import { BurrowError } from './errors';
import { shScript } from './shell-quote';
import type { RunContext } from './run-context';
import type { SshSession } from './ssh/ssh-session';

export const MARKER = '.burrow-destination';

/** name NUL size NUL for visible regular files; "dirs" NUL and a count of visible directories; then the marker's content after a "marker" NUL. */
export const LIST_WITH_MARKER_SCRIPT = `[ -d "$1" ] || { printf "missing\\0"; exit 0; }
cd -- "$1" || exit 66
for f in * .[!.]* ..?*; do [ -f "$f" ] && [ "$f" != "$2" ] && printf "%s\\0%s\\0" "$f" "$(wc -c < "$f" | tr -d ' ')"; done
if [ -f "$2" ]; then printf "marker\\0"; cat -- "$2"; fi; exit 0`;
const MARK_SCRIPT = 'umask 022 && mkdir -p -- "$1" && printf "%s\\n" "$3" > "$1/$2.tmp" && mv -f -- "$1/$2.tmp" "$1/$2"';
/** How many visible entries (files or directories) "$1" holds; "missing" when it does not exist. */
const COUNT_ENTRIES_SCRIPT =
  '[ -d "$1" ] || { echo missing; exit 0; }; cd -- "$1" || exit 66; n=0; for f in *; do [ -e "$f" ] || [ -L "$f" ] && n=$((n + 1)); done; echo $n';

export interface Listing {
  files: Map<string, number>;
  marker?: string;
  /** The directory does not exist. */
  missing?: boolean;
}

/** What the marker says. Markers of Burrow before it said more hold only `job` and `created`. */
export interface MarkerContent {
  v?: number;
  job?: string;
  format?: FormatName;
  /** When the destination was set up. */
  created?: string;
  /** When the first backup was written there; absent until then. */
  firstBackup?: string;
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

/** The marker's content; a marker Burrow cannot read counts as an old one that was set up and written to. */
export function parseMarker(text: string): MarkerContent {
  try {
    const m = JSON.parse(text) as MarkerContent;
    if (typeof m === 'object' && m !== null) return m.v === undefined ? { ...m, firstBackup: m.firstBackup ?? m.created ?? 'before' } : m;
  } catch {
    // fall through
  }
  return { firstBackup: 'before' };
}

const where = (ctx: RunContext) => `${ctx.job.destination.host}:${ctx.job.destination.path}`;

async function writeMarker(ctx: RunContext, content: MarkerContent): Promise<string> {
  const text = JSON.stringify(content);
  await ctx.destination!.run(shScript(MARK_SCRIPT, [ctx.job.destination.path, MARKER, text]), 'writing the destination marker', { signal: ctx.signal });
  return text;
}

function newMarker(ctx: RunContext): MarkerContent {
  return { v: 2, job: ctx.job.name, format: ctx.job.format, created: ctx.clock.now().toISOString() };
}

/**
 * The guard's first question: is this the destination it should be?
 *
 * - a marker for another format: refused (switching formats is a decision: init-destination);
 * - a marker that says backups were written, and none are there: refused, "was set up and now looks empty";
 * - no marker, and this job's last success wrote to this very path: refused (unmounted?);
 * - no marker and nothing there: never set up, so this first run sets it up (not in a dry run);
 * - no marker but other things there: refused until `burrow init-destination` adopts it.
 */
export async function checkMarker(ctx: RunContext, dest: Listing): Promise<string> {
  const { job } = ctx;
  const at = where(ctx);
  if (dest.marker !== undefined) {
    const m = parseMarker(dest.marker);
    ctx.marker = m;
    if (m.format && m.format !== job.format) {
      throw new BurrowError(
        'destination-marker',
        `${at} was set up for ${m.format} backups${m.job ? ` of job ${m.job}` : ''}, but job ${job.name} now writes ${job.format}: nothing was sent or deleted. ` +
          `Use a new destination path, or adopt this one with: burrow init-destination ${job.name}`,
      );
    }
    if (m.firstBackup && (await ctx.format.countStored(ctx, dest)) === 0) {
      throw new BurrowError(
        'destination-marker',
        `${at} was set up${m.created ? ` on ${m.created.slice(0, 10)}` : ''}${m.job ? ` for job ${m.job}` : ''} and has held backups since ${
          m.firstBackup === 'before' ? 'an earlier run' : m.firstBackup.slice(0, 10)
        }, but now looks empty: is the backup volume (NFS) mounted? Nothing was sent or deleted.`,
      );
    }
    return 'marker present';
  }
  if (ctx.priorSuccess) {
    throw new BurrowError(
      'destination-marker',
      `${at} has no ${MARKER} although earlier runs of ${job.name} wrote there: it was set up and now looks empty: is the backup volume (NFS) mounted? ` +
        `Nothing was sent or deleted. If this is meant to be a new, empty destination, set it up with: burrow init-destination ${job.name}`,
    );
  }
  const r = await ctx.destination!.run(shScript(COUNT_ENTRIES_SCRIPT, [job.destination.path]), `looking into ${at}`, { signal: ctx.signal });
  const entries = r.stdout.trim();
  if (entries !== 'missing' && entries !== '0') {
    throw new BurrowError(
      'destination-marker',
      `${at} holds ${entries} entr${entries === '1' ? 'y' : 'ies'} but was never set up as a Burrow destination: nothing was sent or deleted. ` +
        `Check the path; to use it anyway, run: burrow init-destination ${job.name}`,
    );
  }
  if (ctx.dryRun) return 'a new destination: the marker would be written';
  ctx.marker = newMarker(ctx);
  await writeMarker(ctx, ctx.marker);
  ctx.log('info', `first run to the new destination ${at}: set it up (wrote ${MARKER})`);
  return 'a new destination: set up (marker written)';
}

/** After a transfer: a marker that does not say so yet records that the destination now holds backups. */
export async function markBackupsWritten(ctx: RunContext): Promise<void> {
  const m = ctx.marker;
  if (!m || m.firstBackup) return;
  ctx.marker = { ...m, v: 2, firstBackup: ctx.clock.now().toISOString() };
  await writeMarker(ctx, ctx.marker);
}

/** What setting up a destination found and did (the UI's DestinationSetupView). */
export type SetUpReport = DestinationSetupView;

/**
 * `burrow init-destination`: says what setting up the job's destination
 * creates and, unless `preview`, writes the marker. A destination set up for
 * another format is adopted (the old backups stay where they are), except
 * that an archive job never adopts a path holding snapshots, which its
 * --delete would remove.
 */
export async function setUpDestination(ctx: RunContext, preview: boolean): Promise<SetUpReport> {
  const { job } = ctx;
  const at = where(ctx);
  const dest = await listDir(ctx.destination!, job.destination.path, ctx.signal);
  const count = (
    await ctx.destination!.run(shScript(COUNT_ENTRIES_SCRIPT, [job.destination.path]), `looking into ${at}`, { signal: ctx.signal })
  ).stdout.trim();
  const found = count === 'missing' ? `${at} does not exist yet` : count === '0' ? `${at} is empty` : `${at} holds ${count} entr${count === '1' ? 'y' : 'ies'}`;
  const old = dest.marker !== undefined ? parseMarker(dest.marker) : undefined;
  const stored = dest.missing ? 0 : await ctx.format.countStored(ctx, dest);
  const content: MarkerContent = {
    ...newMarker(ctx),
    ...(old?.created ? { created: old.created } : {}),
    ...(stored > 0 ? { firstBackup: old?.firstBackup && old.firstBackup !== 'before' ? old.firstBackup : ctx.clock.now().toISOString() } : {}),
  };
  const creates = [...(count === 'missing' ? [`the directory ${at}`] : []), `the marker ${at}/${MARKER}`, ...ctx.format.setUpCreates(ctx)];
  const base = { destination: at, creates, found, marker: JSON.stringify(content) };
  if (old && (!old.format || old.format === job.format) && (old.job === undefined || old.job === job.name)) {
    return { ...base, creates: [], state: 'set up', message: `${at} is already set up for job ${job.name} (${job.format})` };
  }
  if (old?.format && old.format !== job.format && FORMATS[job.format].mirrorsDestination && count !== '0' && count !== 'missing') {
    return {
      ...base,
      state: 'refused',
      message: `${at} holds ${old.format} backups; a ${job.format} job mirrors its destination with --delete and would remove them. Choose a new destination path.`,
    };
  }
  const state = old || (count !== 'missing' && count !== '0') ? 'adopted' : 'new';
  const message =
    state === 'adopted'
      ? `${preview ? 'Would adopt' : 'Adopted'} ${at} for job ${job.name} (${job.format})${old?.format ? `; the ${old.format} backups already there stay as they are` : ''}`
      : `${preview ? 'Would set up' : 'Set up'} ${at} for job ${job.name} (${job.format})`;
  if (!preview) {
    await writeMarker(ctx, content);
    ctx.marker = content;
  }
  return { ...base, state, message };
}
