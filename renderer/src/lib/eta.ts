/**
 * A steady "time left" for a transfer. rsync's own ETA flips between an
 * estimate and nothing (a line that ends a file carries the elapsed time
 * instead) and jumps with every burst; this keeps a smoothed speed
 * (exponential moving average) and the total rsync implies (bytes done over
 * percent done), and says the time left from those, rounded so it does not
 * flicker. Pure, so the tests replay a transfer.
 */
import type { TransferProgress } from '../../../shared/run-types';

export interface Estimate {
  /** Smoothed bytes per second. */
  speedBps: number;
  /** The whole transfer's size as rsync's percent implies; undefined until it says more than 0 %. */
  totalBytes?: number;
  /** Seconds left at the smoothed speed; undefined until there is a speed and a total. */
  etaSec?: number;
}

/** How much each new sample counts: 0.2 follows a change within ~5 samples (rsync prints about one a second). */
const ALPHA = 0.2;

/** The estimate after one more progress line. */
export function nextEstimate(prev: Estimate | undefined, p: TransferProgress): Estimate {
  const speedBps = prev && prev.speedBps > 0 ? prev.speedBps + ALPHA * (p.speedBps - prev.speedBps) : p.speedBps;
  const implied = p.percent > 0 ? (p.bytes * 100) / p.percent : undefined;
  // The total only grows (rsync finds more to send); a rounding wobble of the percent must not shrink it.
  const totalBytes = implied === undefined ? prev?.totalBytes : Math.max(implied, p.bytes, prev?.totalBytes ?? 0);
  const est: Estimate = { speedBps };
  if (totalBytes !== undefined) est.totalBytes = totalBytes;
  if (totalBytes !== undefined && speedBps > 0) est.etaSec = Math.max(0, (totalBytes - p.bytes) / speedBps);
  else if (prev?.etaSec !== undefined) est.etaSec = prev.etaSec;
  return est;
}

/** Time left in words, coarser as it grows: `"about 3 s left"`, `"about 25 s left"`, `"about 4 min left"`, `"about 1 h 10 min left"`. */
export function formatTimeLeft(etaSec: number | undefined): string | undefined {
  if (etaSec === undefined || !Number.isFinite(etaSec)) return undefined;
  if (etaSec < 1) return 'almost done';
  if (etaSec < 10) return `about ${Math.ceil(etaSec)} s left`;
  if (etaSec < 60) return `about ${Math.ceil(etaSec / 5) * 5} s left`;
  const minutes = Math.round(etaSec / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}
