/**
 * Burrow's marker at the destination, `.burrow-destination`: written on the
 * first run to a path, it tells a backup volume that is mounted from one
 * that is not (an unmounted NFS directory looks empty, and rsync --delete
 * would happily "sync" into it or empty it). Also the listing of a
 * directory's plain files with the marker's content, which the guard, the
 * archive format and `burrow archives` share.
 */
import { BurrowError } from './errors';
import { shScript } from './shell-quote';
import type { RunContext } from './run-context';
import type { SshSession } from './ssh/ssh-session';

export const MARKER = '.burrow-destination';

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

/**
 * Refuses a destination without the marker when earlier runs wrote there;
 * writes the marker on the first run (not in a dry run). Says which.
 */
export async function checkMarker(ctx: RunContext, dest: Listing): Promise<string> {
  const { job } = ctx;
  const destPath = job.destination.path;
  if (dest.marker !== undefined) return 'marker present';
  if (ctx.priorSuccess) {
    throw new BurrowError(
      'destination-marker',
      `${job.destination.host}:${destPath} has no ${MARKER} although earlier runs wrote there: is the backup volume (NFS) mounted? Nothing was sent or deleted.`,
    );
  }
  if (ctx.dryRun) return 'marker would be written';
  const marker = JSON.stringify({ job: job.name, created: ctx.clock.now().toISOString() });
  await ctx.destination!.run(shScript(MARK_SCRIPT, [destPath, MARKER, marker]), 'writing the destination marker', { signal: ctx.signal });
  ctx.log('info', `first run to ${job.destination.host}:${destPath}: wrote ${MARKER}`);
  return 'marker written';
}
