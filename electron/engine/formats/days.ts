/**
 * Days as backups are named, and the rolling sample: each stored item falls
 * in one bucket of a cycle by a stable hash of its name, and each day's run
 * checks the items of that day's bucket, so every item is checked once per
 * cycle whatever else comes and goes.
 */
import { BurrowError } from '../errors';

/** Archives: one in 28 a day, so an archive kept 28 days is checked once in its life. */
export const ARCHIVE_CYCLE_DAYS = 28;
/** Snapshot files: 5 % a day. */
export const SNAPSHOT_CYCLE_DAYS = 20;

/** `20261126` -> `2026-11-26` */
export const dayOfStamp = (stamp: string) => `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6)}`;
/** `2026-11-26` -> `20261126` */
export const stampOfDay = (day: string) => day.replaceAll('-', '');

/** A day as a user types it (YYYY-MM-DD or YYYYMMDD), as YYYY-MM-DD; a clear error otherwise. */
export function parseDay(text: string): string {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
  if (!m) throw new BurrowError('config', `"${text}" is not a day: give YYYY-MM-DD (see burrow backups)`);
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** FNV-1a, 32 bits: stable across runs, installs and platforms. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Which bucket of an `n`-day cycle a day is (days since the epoch, modulo n). */
export function bucketOfDay(day: string, n: number): number {
  return Math.floor(Date.parse(`${day}T00:00:00Z`) / 86_400_000) % n;
}

/** Whether `key` is checked on `day` in an `n`-day cycle. */
export const inBucket = (key: string, day: string, n: number) => stableHash(key) % n === bucketOfDay(day, n);

/** Words for the run record: "day 5 of 28". */
export const cycleWords = (day: string, n: number) => `day ${bucketOfDay(day, n) + 1} of ${n}`;
