/**
 * Runs turned into one point per day for the history chart. Pure, so the
 * grouping is tested without drawing anything.
 */
import type { RunRecord } from '../../../shared/run-types';
import { durationBetween, localDay } from './format';

export interface DayPoint {
  /** Local day, `YYYY-MM-DD`. */
  day: string;
  /** Bytes rsync sent that day, all runs together, in MB. */
  sentMB: number;
  /** The longest run that day, in `unit`s. */
  duration: number;
  runs: number;
}

export interface HistorySeries {
  points: DayPoint[];
  /** Seconds when every run was short, minutes otherwise: the axis stays readable. */
  unit: 's' | 'min';
}

/** One point per day with runs, oldest first. */
export function dailySeries(runs: readonly RunRecord[]): HistorySeries {
  const byDay = new Map<string, { sent: number; longestMs: number; runs: number }>();
  for (const run of runs) {
    const day = localDay(run.startedAt);
    const entry = byDay.get(day) ?? { sent: 0, longestMs: 0, runs: 0 };
    entry.sent += run.transfer?.bytesSent ?? 0;
    entry.longestMs = Math.max(entry.longestMs, durationBetween(run.startedAt, run.endedAt) ?? 0);
    entry.runs += 1;
    byDay.set(day, entry);
  }
  const longest = Math.max(0, ...[...byDay.values()].map((e) => e.longestMs));
  const unit = longest < 120_000 ? 's' : 'min';
  const divisor = unit === 's' ? 1000 : 60_000;
  const points = [...byDay.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([day, e]) => ({
      day,
      sentMB: Math.round(e.sent / 10_000) / 100,
      duration: Math.round((e.longestMs / divisor) * 10) / 10,
      runs: e.runs,
    }));
  return { points, unit };
}
