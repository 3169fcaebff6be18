/**
 * A snapshot day's manifest: every entry of the day with its type, size,
 * mtime and, for files, the SHA-256 they had on the source when rsync sent
 * them, and the day they were sent. A day's manifest is made from the
 * destination's listing of the finished day, the checksums of what this run
 * sent, and the previous manifests for what was hard-linked unchanged: its
 * cost follows the day's change, not the store. Pure.
 */
import type { BackupEntryView } from '../../../../shared/api-contract';

export interface ManifestEntry {
  /** Path below the day's top. */
  p: string;
  t: 'f' | 'd' | 'l';
  s: number;
  /** mtime, whole seconds. */
  m: number;
  /** Mode, octal, as on the source. */
  x?: string;
  /** SHA-256 on the source when sent. */
  h?: string;
  /** The day it was sent (its content's inode was written then). */
  d?: string;
}

/** The day's summary, kept beside its manifest. */
export interface DaySummary {
  day: string;
  files: number;
  dirs: number;
  bytes: number;
  changes?: { added: number; changed: number; removed: number; bytes: number };
  sent: { files: number; bytes: number };
  /** What the day's last run verified at transfer, and whether it all matched. */
  verified: 'ok' | 'failed';
  updatedAt: string;
}

export const parseManifest = (text: string): ManifestEntry[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as ManifestEntry);

export const serializeManifest = (entries: readonly ManifestEntry[]) => entries.map((e) => `${JSON.stringify(e)}\n`).join('');

/** `find -printf '%y\0%P\0%s\0%T@\0'` output as entries (a day without a manifest; owners and modes unknown). */
export function fromFind(out: string): ManifestEntry[] {
  const parts = out.split('\0');
  const entries: ManifestEntry[] = [];
  for (let i = 0; i + 3 < parts.length; i += 4) {
    const y = parts[i]!;
    entries.push({ p: parts[i + 1]!, t: y === 'd' ? 'd' : y === 'l' ? 'l' : 'f', s: Number(parts[i + 2]), m: Math.floor(Number(parts[i + 3])) });
  }
  return entries;
}

export function toEntryView(e: ManifestEntry): BackupEntryView {
  const v: BackupEntryView = {
    path: e.p,
    name: e.p.slice(e.p.lastIndexOf('/') + 1),
    type: e.t === 'd' ? 'dir' : e.t === 'l' ? 'link' : 'file',
    size: e.s,
    mtime: e.m,
  };
  if (e.x) v.mode = e.x;
  return v;
}

export interface SentFile {
  s: number;
  m: number;
  x?: string;
  h: string;
}

/**
 * The day's manifest: each listed entry, with what this run recorded for
 * the files it sent, or what an earlier manifest recorded for a file with
 * the same size and mtime (the hard-linked unchanged ones).
 */
export function mergeDay(opts: {
  day: string;
  listed: readonly ManifestEntry[];
  sent: ReadonlyMap<string, SentFile>;
  links: ReadonlySet<string>;
  carry: ReadonlyMap<string, ManifestEntry>;
}): ManifestEntry[] {
  return opts.listed.map((e): ManifestEntry => {
    const sent = opts.sent.get(e.p);
    if (sent) return { p: e.p, t: 'f', s: e.s, m: e.m, ...(sent.x ? { x: sent.x } : {}), h: sent.h, d: opts.day };
    if (opts.links.has(e.p)) return { ...e, t: 'l', d: opts.day };
    const before = opts.carry.get(e.p);
    if (before && before.s === e.s && before.m === e.m && (before.t === e.t || before.t === 'l')) return { ...before };
    if (e.t === 'd') {
      const x = before?.t === 'd' ? before.x : undefined;
      return x ? { ...e, x } : e;
    }
    return e;
  });
}

/** What a day holds and what changed from the day before (when its manifest is known). */
export function summarizeDay(
  day: string,
  entries: readonly ManifestEntry[],
  previous: readonly ManifestEntry[] | undefined,
  sent: { files: number; bytes: number },
  verified: DaySummary['verified'],
  at: string,
): DaySummary {
  let files = 0;
  let dirs = 0;
  let bytes = 0;
  for (const e of entries) {
    if (e.t === 'd') dirs++;
    else if (e.t === 'f') {
      files++;
      bytes += e.s;
    }
  }
  const summary: DaySummary = { day, files, dirs, bytes, sent, verified, updatedAt: at };
  if (previous) {
    const before = new Map(previous.filter((e) => e.t !== 'd').map((e) => [e.p, e]));
    const changes = { added: 0, changed: 0, removed: 0, bytes: 0 };
    for (const e of entries) {
      if (e.t === 'd') continue;
      const b = before.get(e.p);
      if (!b) {
        changes.added++;
        changes.bytes += e.s;
      } else if (b.s !== e.s || b.m !== e.m || (b.h && e.h && b.h !== e.h)) {
        changes.changed++;
        changes.bytes += e.s;
      }
      before.delete(e.p);
    }
    changes.removed = before.size;
    summary.changes = changes;
  }
  return summary;
}
