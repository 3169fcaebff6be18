/**
 * How numbers and times read in the UI. Pure and DOM-free, so the unit tests
 * run them in Node and every page words a size or a duration the same way.
 */
import { describeAge } from '../../../shared/notification-policy';

export { formatBytes, formatSpeed } from '../../../shared/format-bytes';

/** A duration in milliseconds, short: `"850 ms"`, `"42 s"`, `"3 min 05 s"`, `"2 h 07 min"`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const totalSec = Math.round(ms / 1000);
  if (totalSec < 60) return `${totalSec} s`;
  const totalMin = Math.floor(totalSec / 60);
  if (totalMin < 60) return `${totalMin} min ${String(totalSec % 60).padStart(2, '0')} s`;
  const hours = Math.floor(totalMin / 60);
  return `${hours} h ${String(totalMin % 60).padStart(2, '0')} min`;
}

/** Time left as rsync estimates it, in seconds: `"ETA 1:05"`, `"ETA 1:02:03"`. */
export function formatEta(etaSec: number | undefined): string {
  if (etaSec === undefined || !Number.isFinite(etaSec) || etaSec < 0) return 'ETA —';
  const s = Math.round(etaSec);
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, '0');
  if (hours > 0) return `ETA ${hours}:${String(minutes).padStart(2, '0')}:${seconds}`;
  return `ETA ${minutes}:${seconds}`;
}

/** A percentage clamped to 0-100 and rounded: `"42%"`. */
export function formatPercent(percent: number | undefined): string {
  if (percent === undefined || !Number.isFinite(percent)) return '0%';
  return `${Math.round(Math.min(100, Math.max(0, percent)))}%`;
}

/** How long ago an ISO time was, in the words notifications use: `"3 h ago"`. */
export function formatAgo(iso: string | undefined, now: number): string {
  if (iso === undefined) return 'never';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return 'never';
  // Seconds after a run, "1 min ago" would be a rounding, not a fact.
  if (now - then < 60_000) return 'just now';
  return `${describeAge(Math.max(0, now - then))} ago`;
}

/** How far ahead an ISO time is: `"in 5 h"`, or `"now"` once it has come. */
export function formatIn(iso: string | undefined, now: number): string {
  if (iso === undefined) return '';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  return then <= now ? 'now' : `in ${describeAge(then - now)}`;
}

/** The milliseconds between two ISO times, when both are known. */
export function durationBetween(startIso: string | undefined, endIso: string | undefined): number | undefined {
  if (startIso === undefined || endIso === undefined) return undefined;
  const ms = Date.parse(endIso) - Date.parse(startIso);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** A readable local date and time: `"Tue 4 Mar, 12:30"`. */
export function formatDateTime(iso: string | undefined): string {
  if (iso === undefined) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return d.toLocaleString(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** The local calendar day of an ISO time, `YYYY-MM-DD`, for grouping runs per day. */
export function localDay(iso: string): string {
  const d = new Date(iso);
  const mm = String(d.getMonth() + 1).padStart(2, '0');
  const dd = String(d.getDate()).padStart(2, '0');
  return `${d.getFullYear()}-${mm}-${dd}`;
}
