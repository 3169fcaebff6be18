/**
 * What an interrupted archive run leaves, and its removal by the job's next
 * run: on the source, a half-written archive `.NAME.partial.PID` in the
 * holding dir (PACK_SCRIPT's temporary name; PID is the packing shell's),
 * when the pack was cut off before its own trap could remove it; at the
 * destination, rsync's `--delay-updates` directory `.~tmp~`, which rsync
 * itself protects from deletion.
 */
import { shScript } from '../../shell-quote';
import { nulPairs } from '../../ssh/ssh-session';
import type { Leftover } from '../storage-format';
import type { RunContext } from '../../run-context';

/**
 * In holding dir "$1": removes each `.NAME.partial.PID` (NAME an archive
 * name, PID digits) whose packing shell is gone, and leaves one whose PID
 * still runs (a pack still writing it: an earlier run's, cut off from the
 * laptop but going on, or another job's). The laptop holds the job's lock
 * while it runs this, before its own pack starts. Prints `removed` or `kept`
 * and the name, NUL-separated.
 */
export const STALE_PARTIALS_SCRIPT = `[ -d "$1" ] || exit 0
cd -- "$1" || exit 66
d='[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'
for f in .*.partial.*; do
  [ -f "$f" ] && [ ! -L "$f" ] || continue
  pid=\${f##*.partial.} name=\${f#.}
  name=\${name%.partial.*}
  case $pid in ''|*[!0-9]*) continue ;; esac
  case $name in */*|.*|-*) continue ;; *.$d.tar.bz2|*.$d.tar.gz|*.$d.tar.zst) ;; *) continue ;; esac
  if kill -0 "$pid" 2>/dev/null; then printf 'kept\\0%s\\0' "$f"; continue; fi
  rm -f -- "$f" && printf 'removed\\0%s\\0' "$f"
done
exit 0`;

/** rsync's delay-updates directory in destination path "$1", removed; prints its name. */
const DELAY_UPDATES_SCRIPT = `cd -- "$1" 2>/dev/null || exit 0
if [ -d .~tmp~ ] && [ ! -L .~tmp~ ]; then rm -rf -- .~tmp~ && printf '%s\\0' .~tmp~; fi
exit 0`;

export async function cleanHolding(ctx: RunContext): Promise<Leftover[]> {
  if (!ctx.job.pack) return []; // someone else fills the holding dir: its temporary files are theirs
  const dir = ctx.job.holdingDir;
  const r = await ctx.source!.run(shScript(STALE_PARTIALS_SCRIPT, [dir]), `looking for half-written archives in ${dir}`, { signal: ctx.signal });
  return nulPairs(r.stdout).map(([what, name]) => {
    const pid = name.slice(name.lastIndexOf('.') + 1);
    return what === 'removed'
      ? { path: `${dir}/${name}`, removed: true, why: 'an archive an earlier run was packing when it was cut off' }
      : { path: `${dir}/${name}`, removed: false, why: `process ${pid} is still writing it` };
  });
}

export async function cleanArchiveDestination(ctx: RunContext): Promise<Leftover[]> {
  const path = ctx.job.destination.path;
  const r = await ctx.destination!.run(shScript(DELAY_UPDATES_SCRIPT, [path]), `looking for rsync's leftovers in ${path}`, { signal: ctx.signal });
  return r.stdout
    .split('\0')
    .filter(Boolean)
    .map((name) => ({ path: `${path}/${name}`, removed: true, why: "rsync's delay-updates directory of an interrupted transfer" }));
}
