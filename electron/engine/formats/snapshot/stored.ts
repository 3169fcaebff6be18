/**
 * The snapshots a job keeps at the destination: listed (one command reads
 * every day's summary), browsed and searched through the days' manifests,
 * and restored by file, folder or day, to the laptop (staged at the
 * destination with the owners and modes --fake-super stored, and sent as a
 * tar stream) or onto the source through the tunnel; restored files are
 * checked against the SHA-256 recorded when they were sent.
 */
import { join } from 'node:path';
import type { SearchHitView, SearchResultView } from '../../../../shared/api-contract';
import { BurrowError } from '../../errors';
import { prepareRestoreOnSource, rsyncOntoSource, sumsOnSource } from '../../restore-on-source';
import type { RunContext } from '../../run-context';
import { shScript } from '../../shell-quote';
import { openDestination } from '../../steps/connect';
import { throughTunnel } from '../../tunnel-rsync';
import { parseDay, stampOfDay } from '../days';
import type { BackupEntry, Restored, RestoreOptions, SearchOptions, StoredRecords, StoredRow } from '../storage-format';
import { refuseExistingOnLaptop, sha256OfFile, unpackOnLaptop } from '../to-laptop';
import { checkBackupPath, childrenOf, nameMatches, sortHits } from '../tree';
import { FIND_SCRIPT, META, listDays, metaDir, readMeta, snapshotRoot } from './layout';
import { fromFind, parseManifest, toEntryView, type DaySummary, type ManifestEntry } from './manifest';
import { fakeSuper } from './transfer';

/** Each day NUL its summary (may be empty) NUL: one command for the whole list. */
const LIST_SUMMARIES = `[ -d "$1" ] || exit 0; cd -- "$1" || exit 66
for d in ????-??-??; do [ -d "$d" ] || continue; printf "%s\\0" "$d"; [ -f "${META}/$d.json" ] && cat -- "${META}/$d.json"; printf "\\0"; done; exit 0`;

export async function listSnapshotsStored(ctx: RunContext, records: StoredRecords): Promise<StoredRow[]> {
  const dest = await openDestination(ctx);
  const r = await dest.run(shScript(LIST_SUMMARIES, [snapshotRoot(ctx)]), `listing ${snapshotRoot(ctx)}`, { signal: ctx.signal, maxKeep: 64_000_000 });
  const parts = r.stdout.split('\0');
  const checks = records.verifications(ctx.job.name);
  const rows: StoredRow[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const day = parts[i]!;
    let s: Partial<DaySummary> = {};
    try {
      s = parts[i + 1] ? (JSON.parse(parts[i + 1]!) as DaySummary) : {};
    } catch {
      s = {};
    }
    const check = checks.get(day);
    const row: StoredRow = {
      name: day,
      stamp: stampOfDay(day),
      format: 'snapshot',
      size: s.bytes ?? 0,
      atDestination: true,
      atSource: false,
      verified: check ? (check.ok ? 'ok' : 'failed') : s.verified === 'failed' ? 'failed' : s.verified === 'ok' ? 'at transfer' : 'never',
    };
    if (s.files !== undefined) row.files = s.files;
    if (s.changes) row.changes = s.changes;
    rows.push(row);
  }
  return rows.sort((a, b) => b.name.localeCompare(a.name));
}

/** Manifests read lately, so browsing one directory after another reads the day once. */
const recent = new Map<string, { at: number; entries: ManifestEntry[] }>();
const KEEP_MS = 30_000;

/** The day's entries: its manifest, or (a day from before manifests) a listing of the day. */
async function dayEntries(ctx: RunContext, day: string, fresh = false): Promise<ManifestEntry[]> {
  const key = `${ctx.job.destination.host}:${snapshotRoot(ctx)}/${day}`;
  const hit = recent.get(key);
  if (hit && !fresh && Date.now() - hit.at < KEEP_MS) return hit.entries;
  const dest = await openDestination(ctx);
  const days = await listDays(dest, snapshotRoot(ctx), ctx.signal);
  if (!days.includes(day))
    throw new BurrowError('config', `no snapshot of ${day} at ${ctx.job.destination.host}:${snapshotRoot(ctx)} (days: ${days.join(', ') || 'none'})`);
  const meta = await readMeta(dest, metaDir(ctx), [`${day}.files`], ctx.signal);
  const text = meta.get(`${day}.files`);
  const entries =
    text !== undefined
      ? parseManifest(text)
      : fromFind(
          (await dest.run(shScript(FIND_SCRIPT, [`${snapshotRoot(ctx)}/${day}`]), `listing ${day}`, { signal: ctx.signal, maxKeep: 512_000_000 })).stdout,
        );
  recent.set(key, { at: Date.now(), entries });
  for (const [k, v] of recent) if (Date.now() - v.at > KEEP_MS) recent.delete(k);
  return entries;
}

export async function browseSnapshot(ctx: RunContext, _records: StoredRecords, backup: string, path: string): Promise<BackupEntry[]> {
  const day = parseDay(backup);
  const dir = path === '' ? '' : checkBackupPath(path);
  const entries = await dayEntries(ctx, day);
  if (dir !== '' && !entries.some((e) => e.p === dir && e.t === 'd')) throw new BurrowError('config', `${day} holds no directory ${dir}`);
  return childrenOf(entries.map(toEntryView), dir);
}

/** The days, each D (has a manifest) or N (has none), then the manifest lines holding the text: one command. */
const SEARCH = `cd -- "$1" 2>/dev/null || exit 0
for d in ????-??-??; do [ -d "$d" ] || continue; if [ -f "${META}/$d.files" ]; then echo "D $d"; else echo "N $d"; fi; done
[ -d ${META} ] && cd ${META} && grep -HiF -- "$2" ./*.files 2>/dev/null | head -c 64000000; exit 0`;

export async function searchSnapshots(ctx: RunContext, _records: StoredRecords, query: string, opts: SearchOptions = {}): Promise<SearchResultView> {
  const limit = opts.limit ?? 500;
  const dest = await openDestination(ctx);
  // The manifest is JSON: look for the text as JSON writes it.
  const needle = JSON.stringify(query).slice(1, -1);
  const r = await dest.run(shScript(SEARCH, [snapshotRoot(ctx), needle]), `searching ${snapshotRoot(ctx)}`, { signal: ctx.signal, maxKeep: 64_000_000 });
  const hits: SearchHitView[] = [];
  const notSearched: string[] = [];
  let truncated = false;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('N ')) notSearched.push(`${line.slice(2)}: no manifest (made before Burrow kept them)`);
    const m = /^\.\/(\d{4}-\d{2}-\d{2})\.files:(\{.*\})$/.exec(line);
    if (!m) continue;
    let e: ManifestEntry;
    try {
      e = JSON.parse(m[2]!) as ManifestEntry;
    } catch {
      continue;
    }
    if (!nameMatches(e.p, query)) continue;
    if (hits.length >= limit) {
      truncated = true;
      break;
    }
    hits.push({ ...toEntryView(e), backup: m[1]! });
  }
  return { hits: sortHits(hits), truncated, notSearched };
}

/** What restoring `paths` of a day brings back: the entries at or below them. */
function selected(entries: readonly ManifestEntry[], paths: readonly string[]): ManifestEntry[] {
  return entries.filter((e) => paths.some((p) => e.p === p || e.p.startsWith(`${p}/`)));
}

/**
 * Stages the paths named on standard input (NUL-separated, relative to the
 * day "$1") in a temporary directory through a local rsync whose sending
 * side reads the owners and modes --fake-super stored ("$2" = fake), then
 * writes them to standard output as a tar stream.
 */
const STAGE_AND_TAR = `set -e
t=$(mktemp -d "\${TMPDIR:-/tmp}/burrow-restore.XXXXXXXX")
trap 'rm -rf -- "$t"' EXIT
trap 'exit 130' INT TERM HUP PIPE
printf '#!/bin/sh\\nshift\\nexec "$@"\\n' > "$t/rsh"; chmod 700 "$t/rsh"; mkdir "$t/s"
if [ "$2" = fake ]; then F=-M--fake-super; else F=; fi
rsync -rlptD -H -s --numeric-ids $F -e "$t/rsh" --files-from=- --from0 -- "here:$1/" "$t/s/" >&2
tar -cf - -C "$t/s" .`;

export async function restoreSnapshot(ctx: RunContext, _records: StoredRecords, opts: RestoreOptions): Promise<Restored> {
  const day = parseDay(opts.backup);
  // Read afresh: a run may have updated the day since it was browsed, and restored files are checked against it.
  const entries = await dayEntries(ctx, day, true);
  const paths = opts.paths?.length ? opts.paths.map(checkBackupPath) : entries.filter((e) => !e.p.includes('/')).map((e) => e.p);
  for (const p of paths) if (!entries.some((e) => e.p === p)) throw new BurrowError('config', `${day} holds no ${p} (see burrow ls ${ctx.job.name} ${day})`);
  const chosen = selected(entries, paths);
  const files = chosen.filter((e) => e.t === 'f');
  const recorded = files.filter((e) => e.h);
  const bytes = files.reduce((a, e) => a + e.s, 0);
  const names = paths.map((p) => `${p}\0`).join('');
  const inPlace = opts.inPlace === true;
  let sums: Map<string, string>;
  let dir: string;
  if (opts.toLaptop) {
    dir = opts.toLaptop.replace(/\/+$/, '') || '/';
    await refuseExistingOnLaptop(dir, paths, inPlace);
    const dest = await openDestination(ctx);
    const argv = shScript(STAGE_AND_TAR, [`${snapshotRoot(ctx)}/${day}`, fakeSuper(ctx).length ? 'fake' : 'real']);
    await unpackOnLaptop(dest, argv, names, dir, inPlace, `staging ${day}`);
    sums = new Map();
    for (const e of recorded) sums.set(e.p, await sha256OfFile(join(dir, e.p)).catch(() => ''));
  } else if (opts.toSource) {
    dir = opts.toSource.replace(/\/+$/, '') || '/';
    const rsh = await prepareRestoreOnSource(ctx, dir, paths, inPlace);
    const argv = [
      'rsync',
      '-rlptgoDH',
      '--numeric-ids',
      '--mkpath',
      ...fakeSuper(ctx),
      '--files-from=-',
      '--from0',
      '-e',
      rsh,
      '--',
      throughTunnel(ctx, `${snapshotRoot(ctx)}/${day}/`),
      `${dir}/`,
    ];
    // A job that packs as root elsewhere restores owners as root too (sudo -n, as the sudoers lines allow).
    await rsyncOntoSource(ctx, ctx.job.sudo ? ['sudo', '-n', '-E', ...argv] : argv, `${paths.length} path(s) of snapshot ${day}`, names);
    sums = await sumsOnSource(
      ctx,
      dir,
      recorded.map((e) => e.p),
    );
  } else throw new BurrowError('config', 'say where to restore: --to-laptop DIR or --to-source DIR');
  const bad = recorded.filter((e) => sums.get(e.p) !== e.h).map((e) => e.p);
  if (bad.length > 0)
    throw new BurrowError(
      'verify-mismatch',
      `restored, but ${bad.length} file(s) differ from what was recorded when they were sent: ${bad.slice(0, 20).join(', ')}`,
    );
  return { path: dir, paths, files: files.length, bytes, checked: recorded.length };
}
