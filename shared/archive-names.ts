/**
 * Archive names and the age rules that prune them. Pure and browser-safe.
 * An archive is `<basename>.<YYYYMMDD>.tar.<ext>`, as the original packitup.sh named them.
 */
import type { Compression } from './config-schema';

export const COMPRESSION_EXT: Record<Compression, string> = { bzip2: 'bz2', gzip: 'gz', zstd: 'zst' };
const ARCHIVE = /^(.+)\.(\d{8})\.tar\.(bz2|gz|zst)$/;
const DAY_MS = 86_400_000;

/** The local calendar date as YYYYMMDD, as `date +%Y%m%d` prints it. */
export function dateStamp(d: Date): string {
  const y = d.getFullYear();
  const m = String(d.getMonth() + 1).padStart(2, '0');
  const day = String(d.getDate()).padStart(2, '0');
  return `${y}${m}${day}`;
}

export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

export function archiveName(path: string, stamp: string, compression: Compression): string {
  return `${baseName(path)}.${stamp}.tar.${COMPRESSION_EXT[compression]}`;
}

export interface ParsedArchiveName {
  base: string;
  stamp: string;
  ext: string;
}

export function parseArchiveName(name: string): ParsedArchiveName | undefined {
  const m = ARCHIVE.exec(name);
  if (!m || !validStamp(m[2]!)) return undefined;
  return { base: m[1]!, stamp: m[2]!, ext: m[3]! };
}

function validStamp(stamp: string): boolean {
  const y = Number(stamp.slice(0, 4));
  const m = Number(stamp.slice(4, 6));
  const d = Number(stamp.slice(6, 8));
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** Whole calendar days from stamp `a` to stamp `b` (b later = positive). DST cannot skew it. */
export function daysBetween(a: string, b: string): number {
  const utc = (s: string) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8)));
  return Math.round((utc(b) - utc(a)) / DAY_MS);
}

export interface HoldingFile {
  name: string;
  /** Modification time in ms since the epoch. */
  mtimeMs: number;
}

export interface PruneDecision {
  name: string;
  ageDays: number;
  /** How the age was found. */
  by: 'name' | 'mtime';
}

/**
 * Which holding-dir archives are older than keepDays: by the date in the
 * name, else by mtime. "Older than" is strict, as in the original
 * (`find -mtime +28`): an archive exactly keepDays old is kept. Files that do
 * not look like archives are never touched.
 */
export function selectExpired(files: HoldingFile[], today: Date, keepDays: number): PruneDecision[] {
  const todayStamp = dateStamp(today);
  const out: PruneDecision[] = [];
  for (const f of files) {
    const parsed = parseArchiveName(f.name);
    if (parsed) {
      const age = daysBetween(parsed.stamp, todayStamp);
      if (age > keepDays) out.push({ name: f.name, ageDays: age, by: 'name' });
    } else if (/\.tar\.(bz2|gz|zst)$/.test(f.name) && !f.name.startsWith('.')) {
      const age = Math.floor((today.getTime() - f.mtimeMs) / DAY_MS);
      if (age > keepDays) out.push({ name: f.name, ageDays: age, by: 'mtime' });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Burrow's own archives in a listing (ignores partial files and strangers). */
export function isArchiveName(name: string): boolean {
  return parseArchiveName(name) !== undefined;
}
