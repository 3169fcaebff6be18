/**
 * Which archives a retention policy keeps, and why, in the manner of restic's
 * and borg's `forget`: keep the newest archive of each of the last N days,
 * ISO weeks and months that have one, and everything within a duration.
 * Pure, with a preview a person can read before anything is deleted.
 *
 * Dates come from the archive names (calendar days), so daylight-saving
 * changes cannot move an archive into another day. An archive dated after
 * today (the clock went back) is always kept, with a warning.
 */
import { daysBetween, parseArchiveName } from './archive-names';

export interface RetentionPolicy {
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  /** e.g. "30d", "6w", "12m", "2y": keep everything at most this old. */
  keepWithin?: string;
  /** The original rule: keep archives at most this many days old. */
  keepDays?: number;
}

export interface RetentionDecision {
  name: string;
  stamp: string;
  keep: boolean;
  /** Why it is kept ("daily 1", "weekly 3", "within 30d", "dated in the future"), or why not. */
  reasons: string[];
}

export interface RetentionPreview {
  keep: RetentionDecision[];
  remove: RetentionDecision[];
  warnings: string[];
  /** "3 archives will be deleted, 40 kept" */
  summary: string;
}

/** "30d" -> days; months and years count as 30 and 365 days. */
export function durationDays(s: string): number {
  const m = /^(\d+)([dwmy])$/.exec(s.trim());
  if (!m) throw new Error(`"${s}" is not a duration like 30d, 6w, 12m or 2y`);
  const n = Number(m[1]);
  return n * { d: 1, w: 7, m: 30, y: 365 }[m[2] as 'd' | 'w' | 'm' | 'y'];
}

function isoWeek(stamp: string): string {
  const d = new Date(Date.UTC(Number(stamp.slice(0, 4)), Number(stamp.slice(4, 6)) - 1, Number(stamp.slice(6, 8))));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day); // the Thursday of this week decides its year
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

const BUCKETS: { key: keyof RetentionPolicy; label: string; bucket: (stamp: string) => string }[] = [
  { key: 'keepDaily', label: 'daily', bucket: (s) => s },
  { key: 'keepWeekly', label: 'weekly', bucket: isoWeek },
  { key: 'keepMonthly', label: 'monthly', bucket: (s) => s.slice(0, 6) },
];

/**
 * Decides for each archive name. Names that are not Burrow archives are left
 * out (never deleted). Each series (one per archived directory) is judged on
 * its own, so a busy directory cannot push out a quiet one's archives.
 */
export function applyRetention(names: string[], policy: RetentionPolicy, todayStamp: string): RetentionPreview {
  const items: DatedItem[] = [];
  for (const name of names) {
    const p = parseArchiveName(name);
    if (p) items.push({ name, stamp: p.stamp, series: p.base });
  }
  return applyRetentionToDated(items, policy, todayStamp);
}

/** Anything with a date: an archive, or a snapshot directory (`2026-11-26`). */
export interface DatedItem {
  name: string;
  /** YYYYMMDD */
  stamp: string;
  /** Items of one series are judged together (one series per archived directory). */
  series: string;
}

/** Snapshot directories are named YYYY-MM-DD; anything else is not one. */
export function snapshotItems(names: string[]): DatedItem[] {
  return names.filter((n) => /^\d{4}-\d{2}-\d{2}$/.test(n)).map((n) => ({ name: n, stamp: n.replaceAll('-', ''), series: 'snapshot' }));
}

export function applyRetentionToDated(items: DatedItem[], policy: RetentionPolicy, todayStamp: string): RetentionPreview {
  const warnings: string[] = [];
  const series = new Map<string, { name: string; stamp: string }[]>();
  for (const item of items) {
    const list = series.get(item.series) ?? [];
    list.push({ name: item.name, stamp: item.stamp });
    series.set(item.series, list);
  }
  const decisions: RetentionDecision[] = [];
  for (const list of series.values()) {
    list.sort((a, b) => b.stamp.localeCompare(a.stamp) || b.name.localeCompare(a.name)); // newest first
    const reasons = new Map<string, string[]>(list.map((a) => [a.name, []]));
    for (const a of list) {
      const age = daysBetween(a.stamp, todayStamp);
      if (age < 0) {
        reasons.get(a.name)!.push('dated in the future');
        warnings.push(`${a.name} is dated after today (${todayStamp}): is the clock right? It is kept.`);
      }
      if (policy.keepWithin !== undefined && age >= 0 && age <= durationDays(policy.keepWithin)) reasons.get(a.name)!.push(`within ${policy.keepWithin}`);
      if (policy.keepDays !== undefined && age >= 0 && age <= policy.keepDays) reasons.get(a.name)!.push(`at most ${policy.keepDays} days old`);
    }
    for (const { key, label, bucket } of BUCKETS) {
      const n = policy[key] as number | undefined;
      if (!n) continue;
      const seen = new Set<string>();
      for (const a of list) {
        if (daysBetween(a.stamp, todayStamp) < 0) continue;
        const b = bucket(a.stamp);
        if (seen.has(b)) continue;
        seen.add(b);
        if (seen.size > n) break;
        reasons.get(a.name)!.push(`${label} ${seen.size}`);
      }
    }
    for (const a of list) {
      const r = reasons.get(a.name)!;
      decisions.push({ name: a.name, stamp: a.stamp, keep: r.length > 0, reasons: r.length > 0 ? r : ['matched no keep rule'] });
    }
  }
  decisions.sort((a, b) => a.name.localeCompare(b.name));
  const keep = decisions.filter((d) => d.keep);
  const remove = decisions.filter((d) => !d.keep);
  const summary = `${remove.length} archive${remove.length === 1 ? '' : 's'} will be deleted, ${keep.length} kept`;
  return { keep, remove, warnings, summary };
}

/** True when the policy has at least one rule (an empty policy would delete everything). */
export function hasRules(p: RetentionPolicy): boolean {
  return Boolean(p.keepDaily || p.keepWeekly || p.keepMonthly || p.keepWithin || p.keepDays);
}
