/**
 * What an archive holds, read once with `tar -tv` on the destination and
 * kept on the laptop (by the archive's name and size), so browsing and
 * searching archives costs one decompression per archive, ever. Parsing is
 * pure; GNU tar prints UTC times (TZ=UTC0), numeric owners and C-style
 * escapes.
 */
import type { BackupEntryView } from '../../../../shared/api-contract';
import type { RunContext } from '../../run-context';
import { shScript } from '../../shell-quote';
import { openDestination } from '../../steps/connect';
import type { StoredRecords } from '../storage-format';
import { parseArchiveName } from '../../../../shared/archive-names';
import { listDir, type Listing } from '../../destination-marker';
import { BurrowError } from '../../errors';
import { dayOfStamp, parseDay } from '../days';

const LIST_SCRIPT = 'cd -- "$1" || exit 66; TZ=UTC0 tar -tvf "$2" --numeric-owner --full-time --quoting-style=escape';
const LINE = /^([-dlhcbpsC])([rwxsStT-]{9})\s+\S+\s+([\d,]+)\s+(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\s(.*)$/;

/** tar's escape quoting back to the name. */
function unescapeTar(s: string): string {
  return s.replace(/\\([0-7]{3}|.)/g, (_, c: string) =>
    /^[0-7]{3}$/.test(c)
      ? String.fromCharCode(parseInt(c, 8))
      : (({ n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', b: '\b', a: '\x07' } as Record<string, string>)[c] ?? c),
  );
}

/** `rwxr-x---` -> `750` (setuid and sticky bits as tar shows them). */
function modeOf(rwx: string): string {
  let mode = 0;
  const bits = [0o400, 0o200, 0o100, 0o40, 0o20, 0o10, 0o4, 0o2, 0o1];
  for (let i = 0; i < 9; i++) {
    const c = rwx[i]!;
    if (c !== '-' && c !== 'S' && c !== 'T') mode |= bits[i]!;
  }
  if (/[sS]/.test(rwx[2]!)) mode |= 0o4000;
  if (/[sS]/.test(rwx[5]!)) mode |= 0o2000;
  if (/[tT]/.test(rwx[8]!)) mode |= 0o1000;
  return mode.toString(8);
}

/** Parses `tar -tv --full-time --numeric-owner` output. */
export function parseTarListing(text: string): BackupEntryView[] {
  const out: BackupEntryView[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, kind, rwx, size, date, time, rest] = m;
    let name = rest!;
    if (kind === 'l') name = name.split(' -> ')[0]!;
    if (kind === 'h') name = name.split(' link to ')[0]!;
    const path = unescapeTar(name).replace(/^\.\//, '').replace(/\/+$/, '');
    if (path === '' || path === '.') continue;
    out.push({
      path,
      name: path.slice(path.lastIndexOf('/') + 1),
      type: kind === 'd' ? 'dir' : kind === 'l' ? 'link' : 'file',
      size: Number(size!.replaceAll(',', '')) || 0,
      mtime: Math.floor(Date.parse(`${date}T${time}Z`) / 1000),
      mode: modeOf(rwx!),
    });
  }
  return out;
}

const keyOf = (name: string, size: number) => `${name}.${size}.entries.json`;

/** The archive's entries, kept on the laptop; read from the destination when not kept yet. */
export async function archiveEntries(ctx: RunContext, records: StoredRecords, name: string, size: number): Promise<BackupEntryView[]> {
  const kept = await records.cached(ctx.job.name, keyOf(name, size));
  if (kept) {
    try {
      return JSON.parse(kept) as BackupEntryView[];
    } catch {
      // a damaged copy: list again
    }
  }
  const dest = await openDestination(ctx);
  const r = await dest.run(shScript(LIST_SCRIPT, [ctx.job.destination.path, name]), `listing ${name}`, { signal: ctx.signal, maxKeep: 1_000_000_000 });
  const entries = parseTarListing(r.stdout);
  await records.keep(ctx.job.name, keyOf(name, size), JSON.stringify(entries));
  return entries;
}

/** The entries kept on the laptop, without reading the destination; undefined when not listed yet. */
export async function keptEntries(ctx: RunContext, records: StoredRecords, name: string, size: number): Promise<BackupEntryView[] | undefined> {
  const kept = await records.cached(ctx.job.name, keyOf(name, size));
  if (!kept) return undefined;
  try {
    return JSON.parse(kept) as BackupEntryView[];
  } catch {
    return undefined;
  }
}

/** The archives at the destination by day (YYYY-MM-DD), each with its size. */
export function archivesByDay(listing: Listing): Map<string, { name: string; size: number; base: string }[]> {
  const days = new Map<string, { name: string; size: number; base: string }[]>();
  for (const [name, size] of listing.files) {
    const p = parseArchiveName(name);
    if (!p) continue;
    const day = dayOfStamp(p.stamp);
    days.set(
      day,
      [...(days.get(day) ?? []), { name, size, base: p.base }].sort((a, b) => a.name.localeCompare(b.name)),
    );
  }
  return days;
}

/** The archives of one day at the destination; a clear error when there are none. */
export async function dayArchives(ctx: RunContext, backup: string): Promise<{ day: string; archives: { name: string; size: number; base: string }[] }> {
  const day = parseDay(backup);
  const days = archivesByDay(await listDir(await openDestination(ctx), ctx.job.destination.path, ctx.signal));
  const archives = days.get(day);
  if (!archives)
    throw new BurrowError(
      'config',
      `no archives of ${day} at ${ctx.job.destination.host}:${ctx.job.destination.path} (days: ${[...days.keys()].sort().join(', ') || 'none'})`,
    );
  return { day, archives };
}
