/**
 * Packs each configured directory on the source into
 * `holdingDir/<basename>.<YYYYMMDD>.tar.<ext>`: written under a hidden
 * temporary name, tested, then renamed, so a half-written archive never
 * carries a final name. Paths travel as positional parameters, never as
 * script text.
 */
import { archiveName } from '../../../../shared/archive-names';
import type { ArchiveInfo } from '../../../../shared/run-types';
import { BurrowError } from '../../errors';
import { shScript } from '../../shell-quote';
import { lastLine } from '../../ssh/ssh-session';
import type { RunContext, StepOutcome } from '../../run-context';
import { sshCommandFor } from '../../steps/commands';

/**
 * Sets $prog to the fastest compatible program installed for compression
 * $kind; gzip and zstd in rsyncable mode so yesterday's archive is a good
 * rsync basis for today's. Shared with the install's sudoers hint, which
 * must name the same program.
 */
export const COMPRESS_PROGRAM = `case "$kind" in
  bzip2) if command -v lbzip2 >/dev/null 2>&1; then prog=lbzip2; elif command -v pbzip2 >/dev/null 2>&1; then prog=pbzip2; else prog=bzip2; fi;;
  gzip) if command -v pigz >/dev/null 2>&1; then prog="pigz --rsyncable"; else prog="gzip --rsyncable"; fi;;
  zstd) prog="zstd -q -3 -T0 --rsyncable";;
  *) echo "unknown compression: $kind" >&2; exit 64;;
esac`;

export const PACK_SCRIPT = `
set -u
src=$1 holding=$2 name=$3 kind=$4 sudo=$5
# Only an archive name: the source key's gate admits this script.
d='[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'
case $name in
  */*|.*|-*) echo "not an archive name: $name" >&2; exit 64 ;;
  *.$d.tar.bz2|*.$d.tar.gz|*.$d.tar.zst) ;;
  *) echo "not an archive name: $name" >&2; exit 64 ;;
esac
${COMPRESS_PROGRAM}
tmp="$holding/.$name.partial.$$"
trap 'rm -f -- "$tmp"' EXIT
# PIPE too: a pack whose laptop is gone dies on its first word to the closed
# channel, and a shell killed by a signal it does not trap skips its EXIT trap.
trap 'exit 130' INT TERM HUP PIPE
[ -d "$src" ] || { echo "not a directory: $src" >&2; exit 66; }
parent=$(dirname -- "$src") base=$(basename -- "$src")
if [ "$sudo" = yes ]; then S="sudo -n"; else S=""; fi
$S tar -C "$parent" --use-compress-program="$prog" -cf - -- "$base" > "$tmp"
rc=$?
if [ "$rc" -gt 1 ]; then echo "tar failed (status $rc)" >&2; exit 70; fi
$prog -t < "$tmp" || { echo "the new archive failed its integrity test ($prog -t)" >&2; exit 65; }
# Packed again the same day: keep today's archive when nothing changed, replace it when something did.
how=new
if [ -e "$holding/$name" ]; then
  if cmp -s -- "$tmp" "$holding/$name"; then rm -f -- "$tmp"; trap - EXIT; echo "exists"; exit 0; fi
  how=replaced
fi
size=$(wc -c < "$tmp")
sum=$(sha256sum < "$tmp" | cut -d' ' -f1)
mv -f -- "$tmp" "$holding/$name" || exit 73
trap - EXIT
echo "packed $rc $size $sum \${prog%% *} $how"
`;

/** Creates the holding dir "$1" (the gate admits only a pinned one) and refuses one reached through a symlink. */
export const MKDIR_SCRIPT = `umask 077 && mkdir -p -- "$1" || exit 73
[ ! -L "$1" ] && [ "$(cd -P -- "$1" && pwd -P)" = "$1" ] || { echo "the holding dir $1 is reached through a symlink" >&2; exit 64; }
test -w "$1"`;

/** The paths among "$@" that exist, NUL-separated (the dry run's "already packed"). */
export const EXISTING_SCRIPT = 'for f; do [ -e "$f" ] && printf "%s\\0" "$f"; done; exit 0';

export async function packArchives(ctx: RunContext): Promise<StepOutcome> {
  const { job, record } = ctx;
  if (!job.pack) return { skipped: true, detail: 'pack is off: the holding dir is filled by someone else' };
  const source = ctx.source!;
  if (ctx.dryRun) {
    const names = job.paths.map((p) => archiveName(p, record.stamp, job.compression));
    const r = await source.exec(
      shScript(
        EXISTING_SCRIPT,
        names.map((n) => `${job.holdingDir}/${n}`),
      ),
      { signal: ctx.signal },
    );
    const existing = new Set(
      r.stdout
        .split('\0')
        .filter(Boolean)
        .map((p) => p.slice(job.holdingDir.length + 1)),
    );
    const pack = names.filter((n) => !existing.has(n));
    record.plan = { ...(record.plan ?? { pruneSource: [], send: [], deleteAtDestination: [] }), pack };
    return { detail: pack.length ? `would pack ${pack.join(', ')}` : "would pack today's archives again, replacing them where something changed" };
  }
  await source.run(shScript(MKDIR_SCRIPT, [job.holdingDir]), `creating holding dir ${job.holdingDir}`, { signal: ctx.signal });
  const packed: ArchiveInfo[] = [];
  let existing = 0;
  let replaced = 0;
  let bytes = 0;
  for (const path of job.paths) {
    const name = archiveName(path, record.stamp, job.compression);
    const argv = shScript(PACK_SCRIPT, [path, job.holdingDir, name, job.compression, job.sudo ? 'yes' : 'no']);
    const r = await source.exec(argv, { signal: ctx.signal });
    const out = lastLine(r.stdout);
    if (r.code !== 0 || !(out === 'exists' || out.startsWith('packed '))) {
      const why = lastLine(r.stderr) || (r.code === null ? 'ended without an exit status' : `exit status ${r.code}`);
      throw new BurrowError('remote-command', `packing ${path} on ${job.source} failed: ${why}`);
    }
    if (out === 'exists') {
      existing++;
      ctx.log('info', `${name} was packed earlier today and nothing changed since; kept as it is`);
      continue;
    }
    const [, tarStatus, size, sha256, program, how] = out.split(' ');
    if (program) ctx.log('info', `${name}: compressed with ${program}`);
    if (how === 'replaced') {
      replaced++;
      ctx.log('info', `${name} was packed earlier today; what changed since is in the new one, which replaces it`);
    }
    if (tarStatus === '1') {
      const said = r.stderr
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('tar:'))
        .slice(0, 3)
        .join('; ');
      ctx.log(
        'warn',
        `tar reported files that changed or vanished while ${path} was read; ${name} holds what it saw and passed its test${said ? ` (${said})` : ''}`,
      );
    }
    packed.push({ name, size: Number(size), sha256: sha256! });
    bytes += Number(size);
  }
  record.packed = packed;
  const detail =
    `packed ${packed.length} archive${packed.length === 1 ? '' : 's'}` +
    (replaced ? ` (${replaced} replacing today's earlier one)` : '') +
    (existing ? `, ${existing} unchanged since earlier today` : '');
  const first = job.paths[0]!;
  const example = [
    'sh',
    '-c',
    `tar -C "$(dirname "$1")" -cf - -- "$(basename "$1")" | ${job.compression} > "$2"`,
    'sh',
    first,
    `${job.holdingDir}/${archiveName(first, record.stamp, job.compression)}`,
  ];
  return { detail, bytes, command: sshCommandFor(ctx.config, job.source, example) };
}
