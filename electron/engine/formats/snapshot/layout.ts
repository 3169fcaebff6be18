/**
 * Where a snapshot job keeps things at the destination:
 *
 *   DEST/<job>/YYYY-MM-DD/...             each day, a complete tree (unchanged files hard-linked)
 *   DEST/<job>/.burrow/YYYY-MM-DD.files   the day's manifest: every entry, one JSON object a line,
 *                                         with the SHA-256 each file had on the source when it was sent
 *   DEST/<job>/.burrow/YYYY-MM-DD.sent    the entries that day's runs sent (what it adds to the store)
 *   DEST/<job>/.burrow/YYYY-MM-DD.json    the day's summary (counts, bytes, what changed)
 *
 * The manifests live with the backups, so any Burrow (not only the laptop
 * that sent) can list, browse, search and verify them.
 */
import type { RunContext } from '../../run-context';
import { shScript } from '../../shell-quote';
import type { SshSession } from '../../ssh/ssh-session';
import { dayOfStamp } from '../days';

/** `20261126` -> `2026-11-26` */
export const snapshotName = dayOfStamp;

export const snapshotRoot = (ctx: RunContext) => `${ctx.job.destination.path}/${ctx.job.name}`;
export const META = '.burrow';
export const metaDir = (ctx: RunContext) => `${snapshotRoot(ctx)}/${META}`;

/** The day directories in "$1", NUL-separated; nothing (and nothing created) when it does not exist. */
export const LIST_DAYS_SCRIPT = '[ -d "$1" ] || exit 0; cd -- "$1" || exit 66; for d in ????-??-??; do [ -d "$d" ] && printf "%s\\0" "$d"; done; exit 0';

export async function listDays(dest: SshSession, root: string, signal: AbortSignal): Promise<string[]> {
  const r = await dest.run(shScript(LIST_DAYS_SCRIPT, [root]), `listing snapshots in ${root}`, { signal });
  return r.stdout.split('\0').filter(Boolean).sort();
}

/** For each file "$2"... in dir "$1": NUL, its name, NUL, its content (absent files are left out). */
const READ_FILES_SCRIPT = 'cd -- "$1" 2>/dev/null || exit 0; shift; for f; do [ -f "$f" ] && { printf "\\0%s\\0" "$f"; cat -- "$f"; }; done; exit 0';

/** The contents of meta files by name (JSON text never holds a NUL). */
export async function readMeta(dest: SshSession, dir: string, names: string[], signal: AbortSignal): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (names.length === 0) return out;
  const r = await dest.run(shScript(READ_FILES_SCRIPT, [dir, ...names]), `reading ${dir}`, { signal, maxKeep: 512_000_000 });
  const parts = r.stdout.split('\0');
  for (let i = 1; i + 1 < parts.length; i += 2) out.set(parts[i]!, parts[i + 1]!);
  return out;
}

/** Writes standard input to "$1/$2" under a temporary name first. */
const WRITE_META_SCRIPT = 'umask 022 && mkdir -p -- "$1" && cat > "$1/.$2.tmp" && mv -f -- "$1/.$2.tmp" "$1/$2"';

export async function writeMeta(dest: SshSession, dir: string, name: string, text: string, signal: AbortSignal): Promise<void> {
  await dest.run(shScript(WRITE_META_SCRIPT, [dir, name]), `writing ${dir}/${name}`, { signal, stdin: text });
}

/** Every entry below "$1" (type, path, size, mtime), NUL-separated: what a day holds when it has no manifest. */
export const FIND_SCRIPT = 'cd -- "$1" || exit 66; find . -mindepth 1 -printf \'%y\\0%P\\0%s\\0%T@\\0\'';

/** SHA-256 of the files named on standard input (NUL-separated, relative to "$1"): `hash  name` NUL each. */
export const DEST_SUMS_SCRIPT = 'cd -- "$1" || exit 66; exec xargs -0 -r sha256sum -z --';

/** Parses `hash  name` NUL records. */
export function parseSums(out: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const rec of out.split('\0')) {
    const m = /^([0-9a-f]{64}) [ *](.*)$/s.exec(rec);
    if (m) sums.set(m[2]!, m[1]!);
  }
  return sums;
}
