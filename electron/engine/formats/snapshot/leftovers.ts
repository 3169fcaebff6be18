/**
 * What an interrupted snapshot run leaves at the destination, and its
 * removal by the job's next run: a half-sent day `.DAY.partial` (of an
 * earlier day: today's is where this run's rsync picks up), a day being
 * swapped out `.DAY.replaced`, and half-written manifests `.burrow/.NAME.tmp`.
 * The source keeps nothing of a snapshot run but its temporary directory.
 */
import { shScript } from '../../shell-quote';
import type { Leftover } from '../storage-format';
import type { RunContext } from '../../run-context';
import { META, snapshotName, snapshotRoot } from './layout';

/** In the job's root "$1", with today's day "$2": removes the leftovers above; prints each path (relative), NUL-separated. */
const SNAPSHOT_LEFTOVERS_SCRIPT = `cd -- "$1" 2>/dev/null || exit 0
for d in .????-??-??.partial .????-??-??.replaced; do
  [ -d "$d" ] && [ ! -L "$d" ] || continue
  [ "$d" = ".$2.partial" ] && continue
  rm -rf -- "$d" && printf '%s\\0' "$d"
done
if [ -d ${META} ] && [ ! -L ${META} ]; then
  for f in ${META}/.*.tmp; do [ -f "$f" ] && rm -f -- "$f" && printf '%s\\0' "$f"; done
fi
exit 0`;

const WHY: [RegExp, string][] = [
  [/\.partial$/, 'a day an earlier run was sending when it was cut off'],
  [/\.replaced$/, 'a day an earlier run was swapping out when it was cut off'],
  [/\.tmp$/, 'a manifest an earlier run was writing when it was cut off'],
];

export async function cleanSnapshotDestination(ctx: RunContext): Promise<Leftover[]> {
  const root = snapshotRoot(ctx);
  const r = await ctx.destination!.run(shScript(SNAPSHOT_LEFTOVERS_SCRIPT, [root, snapshotName(ctx.record.stamp)]), `looking for leftovers in ${root}`, {
    signal: ctx.signal,
  });
  return r.stdout
    .split('\0')
    .filter(Boolean)
    .map((name) => ({ path: `${root}/${name}`, removed: true, why: WHY.find(([re]) => re.test(name))?.[1] ?? 'left by an earlier run' }));
}
