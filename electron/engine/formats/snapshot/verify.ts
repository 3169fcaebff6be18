/**
 * Checking snapshots. The verify step checks what this run sent, in full:
 * the SHA-256 each file rsync itemized had on the source right after it was
 * sent (taken there, through the source gate) against the same file in the
 * finished day at the destination; a file that changed on the source since
 * rsync read it is noted, not failed (the next run sends it). It then writes
 * the day's manifest, and checks a rolling sample of the rest of the store
 * against the checksums recorded when it was sent: the files whose content
 * was written on each kept day (its `.sent`), the oldest day's files from
 * days already pruned, and the newest day's tree, each in 1 of 20 buckets a
 * day. `burrow verify --all` checks every stored file once.
 */
import type { RunVerification } from '../../../../shared/run-types';
import { BurrowError } from '../../errors';
import type { RunContext, StepOutcome } from '../../run-context';
import { shScript } from '../../shell-quote';
import type { SshSession } from '../../ssh/ssh-session';
import { SNAPSHOT_CYCLE_DAYS, cycleWords, inBucket } from '../days';
import type { StoredRecords, VerifyResult, VerifyWhich } from '../storage-format';
import { DEST_SUMS_SCRIPT, FIND_SCRIPT, listDays, metaDir, parseSums, readMeta, snapshotName, snapshotRoot, writeMeta } from './layout';
import { fromFind, mergeDay, parseManifest, serializeManifest, summarizeDay, type ManifestEntry, type SentFile } from './manifest';
import { sentBy } from './transfer';

/**
 * Size, mtime, mode and SHA-256 of the files named on standard input
 * (NUL-separated, relative to the parent of one of the job's directories,
 * "$@", as rsync itemized them). Only regular files physically inside those
 * directories (no `..`, no symlink on the way); any other name comes back
 * as `G` NAME. The source gate admits it with the job's directories as its
 * arguments; the names never travel as arguments.
 */
export const SENT_SUMS_SCRIPT = `set -f
P=; for p; do P=\${P:+$P
}$p; done
export P
exec xargs -0 -r sh -c '
set -f
n=$#
ld= dok=
for f; do
  case /$f/ in */../*|*/./*|*//*) printf "G%s\\0" "$f"; continue ;; esac
  top=\${f%%/*} root=
  IFS="
"
  for p in $P; do [ "\${p##*/}" = "$top" ] && root=$p; done
  unset IFS
  [ -n "$root" ] || { printf "G%s\\0" "$f"; continue; }
  a=\${root%/*}/$f
  d=\${a%/*}
  if [ "$d" != "$ld" ]; then
    ld=$d dok=
    pr=$(cd -P -- "$root" 2>/dev/null && pwd -P) && pd=$(cd -P -- "$d" 2>/dev/null && pwd -P) && case $pd/ in "$pr"/*) dok=1 ;; esac
  fi
  if [ -n "$dok" ] && [ -f "$a" ] && [ ! -L "$a" ]; then set -- "$@" "$a"; else printf "G%s\\0" "$f"; fi
done
shift $n
[ $# -gt 0 ] || exit 0
stat --printf "S%n\\0%s\\0%Y\\0%a\\0" -- "$@"
sha256sum -z -- "$@"
' burrow-sums`;

/** The source's record of the files just sent, by their name as rsync itemized it; gone ones are absent. */
async function sourceSums(ctx: RunContext, names: readonly string[]): Promise<Map<string, SentFile>> {
  const out = new Map<string, SentFile>();
  if (names.length === 0) return out;
  const r = await ctx.source!.exec(shScript(SENT_SUMS_SCRIPT, ctx.job.paths), {
    signal: ctx.signal,
    stdin: names.map((n) => `${n}\0`).join(''),
    maxKeep: 512_000_000,
  });
  if (r.stderr.includes('burrow-gate: refused')) throw new BurrowError('remote-command', `checksumming what was sent on ${ctx.job.source}: ${r.stderr.trim()}`);
  const relOf = (abs: string) => {
    for (const root of ctx.job.paths) {
      const parent = root.slice(0, root.lastIndexOf('/'));
      if (abs.startsWith(`${root}/`)) return abs.slice(parent.length + 1);
    }
    return undefined;
  };
  const stats = new Map<string, { s: number; m: number; x: string }>();
  const parts = r.stdout.split('\0');
  for (let i = 0; i < parts.length; i++) {
    const t = parts[i]!;
    if (t.startsWith('S') && i + 3 < parts.length) {
      stats.set(t.slice(1), { s: Number(parts[i + 1]), m: Number(parts[i + 2]), x: parts[i + 3]! });
      i += 3;
    }
  }
  for (const [abs, h] of parseSums(r.stdout)) {
    const st = stats.get(abs);
    const rel = relOf(abs);
    if (st && rel !== undefined) out.set(rel, { ...st, h });
  }
  return out;
}

async function destSums(dest: SshSession, dir: string, names: readonly string[], signal: AbortSignal): Promise<Map<string, string>> {
  if (names.length === 0) return new Map();
  const r = await dest.exec(shScript(DEST_SUMS_SCRIPT, [dir]), { signal, stdin: names.map((n) => `${n}\0`).join(''), maxKeep: 512_000_000 });
  return parseSums(r.stdout);
}

/** What the rest of the store holds to be sampled: each key `DAY/path` with the SHA-256 recorded when it was sent. */
function storeItems(days: readonly string[], today: string, todays: readonly ManifestEntry[], metas: Map<string, string>): Map<string, string> {
  const items = new Map<string, string>();
  const oldest = days[0];
  for (const e of todays) if (e.t === 'f' && e.h && e.d !== today) items.set(`${today}/${e.p}`, e.h);
  // A file sent on an earlier day and unchanged since is the same inode in today's tree: checked there, not twice.
  const carried = new Map(todays.filter((e) => e.d && e.d !== today).map((e) => [e.p, e.d]));
  for (const day of days) {
    if (day === today) continue;
    for (const e of parseManifest(metas.get(`${day}.sent`) ?? '')) if (e.h && carried.get(e.p) !== day) items.set(`${day}/${e.p}`, e.h);
    if (day === oldest)
      for (const e of parseManifest(metas.get(`${day}.files`) ?? '')) if (e.t === 'f' && e.h && (!e.d || e.d < day)) items.set(`${day}/${e.p}`, e.h);
  }
  return items;
}

/** Checks `items` (`DAY/path` -> recorded SHA-256) at the destination; returns the problems, one per file. */
async function checkItems(dest: SshSession, root: string, items: Map<string, string>, signal: AbortSignal): Promise<string[]> {
  const names = [...items.keys()];
  const got = await destSums(dest, root, names, signal);
  const problems: string[] = [];
  for (const n of names) {
    const h = got.get(n);
    if (h === undefined) problems.push(`${n} is missing or unreadable`);
    else if (h !== items.get(n)) problems.push(`${n} has SHA-256 ${h.slice(0, 12)}…, not the ${items.get(n)!.slice(0, 12)}… recorded when it was sent`);
  }
  return problems;
}

export async function verifySnapshot(ctx: RunContext): Promise<StepOutcome> {
  const dest = ctx.destination!;
  const root = snapshotRoot(ctx);
  const meta = metaDir(ctx);
  const today = snapshotName(ctx.record.stamp);
  const names = ctx.record.transfer?.transferred ?? [];
  const symlinks = new Set(sentBy.get(ctx)?.symlinks ?? []);
  const days = await listDays(dest, root, ctx.signal);
  const previous = days.filter((d) => d < today).pop();
  const wanted = [
    ...new Set([...(previous ? [`${previous}.files`] : []), `${today}.files`, ...(days[0] ? [`${days[0]}.files`] : []), ...days.map((d) => `${d}.sent`)]),
  ];
  const [src, dst, listed, metas] = await Promise.all([
    sourceSums(ctx, names),
    destSums(dest, `${root}/${today}`, names, ctx.signal),
    dest
      .run(shScript(FIND_SCRIPT, [`${root}/${today}`]), `listing snapshot ${today}`, { signal: ctx.signal, maxKeep: 512_000_000 })
      .then((r) => fromFind(r.stdout)),
    readMeta(dest, meta, wanted, ctx.signal),
  ]);
  const byPath = new Map(listed.map((e) => [e.p, e]));
  const problems: string[] = [];
  const sent = new Map<string, SentFile>();
  let changedSince = 0;
  let bytes = 0;
  for (const name of names) {
    const s = src.get(name);
    const d = dst.get(name);
    const l = byPath.get(name);
    if (d === undefined || !l) {
      problems.push(`${name} is missing at the destination`);
      continue;
    }
    bytes += l.s;
    if (!s) {
      changedSince++; // gone, or no longer a plain file, on the source since it was sent
      sent.set(name, { s: l.s, m: l.m, h: d });
    } else if (s.h === d) sent.set(name, { ...s, s: l.s, m: l.m });
    else if (s.s !== l.s || s.m !== l.m) {
      changedSince++;
      sent.set(name, { s: l.s, m: l.m, x: s.x, h: d });
    } else {
      problems.push(`${name} differs (source ${s.h.slice(0, 12)}…, destination ${d.slice(0, 12)}…)`);
      sent.set(name, s);
    }
  }
  if (changedSince > 0) ctx.log('warn', `${changedSince} file(s) changed on ${ctx.job.source} after rsync sent them; the next run sends them again`);
  const carry = new Map<string, ManifestEntry>();
  const before = previous && metas.has(`${previous}.files`) ? parseManifest(metas.get(`${previous}.files`)!) : undefined;
  for (const e of before ?? []) carry.set(e.p, e);
  for (const e of parseManifest(metas.get(`${today}.files`) ?? '')) carry.set(e.p, e);
  const manifest = mergeDay({ day: today, listed, sent, links: symlinks, carry });
  const at = ctx.clock.now().toISOString();
  const todaySent = manifest.filter((e) => e.d === today);
  const summary = summarizeDay(today, manifest, before, { files: names.length, bytes }, problems.length ? 'failed' : 'ok', at);
  const pool = storeItems(days.includes(today) ? days : [...days, today].sort(), today, manifest, metas);
  const sample = new Map([...pool].filter(([k]) => inBucket(k, today, SNAPSHOT_CYCLE_DAYS)));
  // The day's manifest is written while the sample is hashed (the manifest first: the summary says it is complete).
  const [sampleProblems] = await Promise.all([
    checkItems(dest, root, sample, ctx.signal),
    (async () => {
      await Promise.all([
        writeMeta(dest, meta, `${today}.files`, serializeManifest(manifest), ctx.signal),
        writeMeta(dest, meta, `${today}.sent`, serializeManifest(todaySent), ctx.signal),
      ]);
      await writeMeta(dest, meta, `${today}.json`, `${JSON.stringify(summary)}\n`, ctx.signal);
    })(),
  ]);
  const verification: RunVerification = {
    full: { what: `${names.length} file(s) sent to snapshot ${today}`, items: names.length, bytes, ...(changedSince ? { changedSince } : {}) },
    sample: { what: 'stored snapshot files', items: sample.size, of: pool.size, cycle: cycleWords(today, SNAPSHOT_CYCLE_DAYS), problems: sampleProblems },
  };
  ctx.record.verification = verification;
  const all = [...problems, ...sampleProblems.map((p) => `sample: ${p}`)];
  if (all.length > 0) throw new BurrowError('verify-mismatch', `snapshot ${today}: ${all.length} problem(s): ${all.join('; ')}`);
  return {
    detail:
      `${names.length} sent file(s) match the source's SHA-256` +
      (changedSince ? ` (${changedSince} changed on the source since, sent next time)` : '') +
      `; sample of the store: ${sample.size} of ${pool.size} file(s) ok (${verification.sample.cycle})`,
    bytes,
  };
}

/** `burrow verify` for snapshots: every stored file once (--all or named days), or a share (--sample N%). */
export async function verifySnapshotsStored(ctx: RunContext, records: StoredRecords, which: VerifyWhich): Promise<VerifyResult[]> {
  const dest = ctx.destination!;
  const root = snapshotRoot(ctx);
  const days = await listDays(dest, root, ctx.signal);
  const chosen = which.names ? days.filter((d) => which.names!.includes(d)) : days;
  if (chosen.length === 0) return [];
  const newest = days[days.length - 1]!;
  const metas = await readMeta(
    dest,
    metaDir(ctx),
    which.names ? chosen.map((d) => `${d}.files`) : [`${newest}.files`, `${days[0]}.files`, ...days.map((d) => `${d}.sent`)],
    ctx.signal,
  );
  let items: Map<string, string>;
  if (which.names) {
    items = new Map();
    for (const d of chosen) for (const e of parseManifest(metas.get(`${d}.files`) ?? '')) if (e.t === 'f' && e.h) items.set(`${d}/${e.p}`, e.h);
  } else {
    items = storeItems(days, newest, parseManifest(metas.get(`${newest}.files`) ?? ''), metas);
    if (!which.all && which.samplePercent !== undefined) {
      const n = Math.max(1, Math.round(100 / which.samplePercent));
      const day = ctx.clock.now().toISOString().slice(0, 10);
      items = new Map([...items].filter(([k]) => inBucket(k, day, n)));
    }
  }
  const problems = await checkItems(dest, root, items, ctx.signal);
  const results: VerifyResult[] = chosen.map((day) => {
    const mine = problems.filter((p) => p.startsWith(`${day}/`));
    const entries = [...items.keys()].filter((k) => k.startsWith(`${day}/`)).length;
    const noManifest = !metas.has(`${day}.files`) && !metas.has(`${day}.sent`) ? ['no manifest (made before Burrow kept them): nothing to compare with'] : [];
    return { name: day, ok: mine.length === 0, problems: [...mine, ...(mine.length === 0 && entries === 0 ? noManifest : [])], entries };
  });
  await records.recordVerify(ctx.job.name, ctx.clock.now().toISOString(), results);
  return results;
}
