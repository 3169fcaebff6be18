/**
 * The engine's per-day totals (listRunDays) turned into chart points. Pure,
 * so it is tested without drawing anything.
 */
import type { RunDay } from '../../../shared/run-types';

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
export function dailySeries(days: readonly RunDay[]): HistorySeries {
  const longest = Math.max(0, ...days.map((d) => d.longestMs));
  const unit = longest < 120_000 ? 's' : 'min';
  const divisor = unit === 's' ? 1000 : 60_000;
  const points = [...days]
    .filter((d) => d.runs > 0)
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))
    .map((d) => ({
      day: d.day,
      sentMB: Math.round(d.bytesSent / 10_000) / 100,
      duration: Math.round((d.longestMs / divisor) * 10) / 10,
      runs: d.runs,
    }));
  return { points, unit };
}

/** Minutes east of UTC here, as listRunDays wants them. */
export function localOffsetMinutes(at: Date = new Date()): number {
  return -at.getTimezoneOffset();
}
