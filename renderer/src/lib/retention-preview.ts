/**
 * Which days a job's retention keeps, shown before it is saved: the engine's
 * own selection (shared/retention.ts applyRetention) run on a made-up
 * history of one backup a day, so what Settings shows is what prune would
 * do. Pure.
 */
import { applyRetention, type RetentionPolicy } from '../../../shared/retention';
import { isRecord, type Fields } from './config-draft';

/** How many days of made-up daily backups the preview runs the rules on. */
export const PREVIEW_DAYS = 400;

/** `YYYYMMDD` of a local date. */
export function stampOf(d: Date): string {
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

/** The policy a job's fields give, as the engine reads them: `retention` when set, else keepDays (default 28). */
export function policyOf(job: Fields): RetentionPolicy {
  if (isRecord(job.retention)) {
    const r = job.retention;
    const policy: RetentionPolicy = {};
    for (const k of ['keepDaily', 'keepWeekly', 'keepMonthly'] as const) if (typeof r[k] === 'number') policy[k] = r[k];
    if (typeof r.keepWithin === 'string') policy.keepWithin = r.keepWithin;
    return policy;
  }
  return { keepDays: typeof job.keepDays === 'number' ? job.keepDays : 28 };
}

export interface RetentionView {
  /** Stamps kept, newest first. */
  kept: string[];
  removed: number;
  summary: string;
}

/** What the policy keeps of `days` daily backups ending today. */
export function previewRetention(policy: RetentionPolicy, today: Date, days = PREVIEW_DAYS): RetentionView {
  const names: string[] = [];
  for (let i = 0; i < days; i++) {
    const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() - i);
    names.push(`backup.${stampOf(d)}.tar.bz2`);
  }
  const r = applyRetention(names, policy, stampOf(today));
  const kept = r.keep.map((k) => k.stamp).sort((a, b) => b.localeCompare(a));
  return { kept, removed: r.remove.length, summary: `keeps ${kept.length} of ${days} daily backups` };
}
