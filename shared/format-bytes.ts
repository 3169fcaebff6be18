/**
 * Sizes and speeds in words, the same on every surface (window, tray, CLI):
 * decimal units, as rsync and disk tools print them. Browser-safe.
 */
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/** `formatBytes(1_500_000)` is `"1.5 MB"`; `"—"` for what is not a size. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  // One decimal below 10 so small sizes still move visibly during a transfer.
  return `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** A transfer speed in MB/s (rsync reports bytes per second): `"12.5 MB/s"`. */
export function formatSpeed(bytesPerSecond: number | undefined): string {
  if (bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond) || bytesPerSecond < 0) return '—';
  const mbps = bytesPerSecond / 1_000_000;
  return `${mbps < 10 ? mbps.toFixed(2) : mbps.toFixed(1)} MB/s`;
}
