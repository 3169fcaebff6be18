/**
 * The runs listed on the History page as chart points, oldest first: what
 * each run sent and how long it took, with its status so failed and
 * cancelled runs stand out. Pure, so it is tested without drawing anything.
 */
import type { RunStatus, RunSummary } from '../../../shared/run-types';
import { durationBetween } from './format';

export interface RunPoint {
  id: string;
  /** When it started, ms since the epoch (the x axis). */
  at: number;
  job: string;
  status: RunStatus;
  /** Bytes rsync sent; undefined when the run sent nothing (a log axis has no 0). */
  bytes?: number;
  /** How long it took, in `unit`s; undefined while it runs. */
  duration?: number;
}

export interface RunSeries {
  points: RunPoint[];
  /** Seconds when every run was short, minutes otherwise: the axis stays readable. */
  unit: 's' | 'min';
  /** A log scale for bytes when sizes differ by more than 100 times (a 961 B run beside a 4 MB one stays visible). */
  logBytes: boolean;
}

/** One point per run, oldest first. */
export function runSeries(runs: readonly RunSummary[]): RunSeries {
  const ms = runs.map((r) => durationBetween(r.startedAt, r.endedAt));
  const longest = Math.max(0, ...ms.map((d) => d ?? 0));
  const unit = longest < 120_000 ? 's' : 'min';
  const divisor = unit === 's' ? 1000 : 60_000;
  const points = runs
    .map((r, i) => {
      const p: RunPoint = { id: r.id, at: Date.parse(r.startedAt), job: r.job, status: r.status };
      if (r.bytesSent !== undefined && r.bytesSent > 0) p.bytes = r.bytesSent;
      const d = ms[i];
      if (d !== undefined) p.duration = Math.round((d / divisor) * 10) / 10;
      return p;
    })
    .sort((a, b) => a.at - b.at);
  const sizes = points.flatMap((p) => (p.bytes !== undefined ? [p.bytes] : []));
  const logBytes = sizes.length > 1 && Math.max(...sizes) / Math.min(...sizes) > 100;
  return { points, unit, logBytes };
}
