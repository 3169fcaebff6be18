import { describe, expect, it } from 'vitest';
import { durationBetween, formatAgo, formatBytes, formatDuration, formatEta, formatIn, formatPercent, formatSpeed } from '../../renderer/src/lib/format';
import { describeSchedule } from '../../renderer/src/lib/schedule-text';
import { describeCauses, runHeadline, slotCount, stepLabel } from '../../renderer/src/lib/words';
import { describeTunnel, tunnelHops } from '../../renderer/src/lib/tunnel-words';
import { runSeries } from '../../renderer/src/lib/history-series';

describe('renderer formatting', () => {
  it('bytes in decimal units, one decimal below 10', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500_000)).toBe('1.5 MB');
    expect(formatBytes(42_000_000)).toBe('42 MB');
    expect(formatBytes(3_200_000_000_000)).toBe('3.2 TB');
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });

  it('speed in MB/s', () => {
    expect(formatSpeed(3_400_000)).toBe('3.40 MB/s');
    expect(formatSpeed(25_000_000)).toBe('25.0 MB/s');
    expect(formatSpeed(undefined)).toBe('—');
  });

  it('durations from milliseconds to hours', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(2 * 3_600_000 + 7 * 60_000)).toBe('2 h 07 min');
    expect(formatDuration(-1)).toBe('—');
  });

  it('ETA as m:ss or h:mm:ss', () => {
    expect(formatEta(65)).toBe('ETA 1:05');
    expect(formatEta(3723)).toBe('ETA 1:02:03');
    expect(formatEta(undefined)).toBe('ETA —');
  });

  it('percent clamped and rounded', () => {
    expect(formatPercent(41.6)).toBe('42%');
    expect(formatPercent(130)).toBe('100%');
    expect(formatPercent(-3)).toBe('0%');
  });

  it('ages in the words of notifications', () => {
    const now = Date.parse('2026-11-23T15:30:00Z');
    expect(formatAgo('2026-11-23T12:30:00Z', now)).toBe('3 h ago');
    expect(formatAgo('2026-11-20T12:30:00Z', now)).toBe('3 days ago');
    expect(formatAgo(undefined, now)).toBe('never');
    expect(formatIn('2026-11-23T20:30:00Z', now)).toBe('in 5 h');
    expect(formatIn('2026-11-23T15:00:00Z', now)).toBe('now');
    expect(durationBetween('2026-11-23T12:30:00Z', '2026-11-23T12:31:30Z')).toBe(90_000);
    expect(durationBetween('2026-11-23T12:30:00Z', undefined)).toBeUndefined();
  });

  it('schedules in words, invalid ones not at all', () => {
    expect(describeSchedule('30 12 * * *')).toBe('At 12:30 PM (every day at 12:30)');
    expect(describeSchedule('0 */6 * * 1-5')).toContain('Monday through Friday');
    expect(describeSchedule('not cron')).toBeUndefined();
  });

  it('tunnel, causes and slot counts', () => {
    expect(describeTunnel(undefined)).toBe('Tunnel not open yet');
    expect(describeTunnel({ state: 'requesting' })).toBe('Tunnel opening…');
    expect(describeTunnel({ state: 'up', port: 40123 })).toBe('Tunnel up: source port 40123 → this laptop → destination');
    expect(describeTunnel({ state: 'failed', port: 9122 })).toBe('Tunnel failed');
    expect(tunnelHops({ state: 'up', port: 1, connections: 0 })).toEqual({ toSource: 'up', toDestination: 'opening' });
    expect(tunnelHops({ state: 'up', port: 1, connections: 2 })).toEqual({ toSource: 'up', toDestination: 'up' });
    expect(tunnelHops({ state: 'failed' })).toEqual({ toSource: 'failed', toDestination: 'idle' });
    expect(stepLabel('prune-destination')).toBe('Prune destination');
    expect(runHeadline([])).toBe('Starting…');
    expect(
      runHeadline([
        { name: 'connect', status: 'ok' },
        { name: 'transfer', status: 'running' },
      ]),
    ).toBe('Running: transfer (7 of 10)');
    expect(describeCauses(['laptop-off', 'asleep', 'laptop-off'])).toBe('the laptop was off; the laptop was asleep');
    expect(slotCount(1)).toBe('1 slot');
    expect(slotCount(3)).toBe('3 slots');
  });

  it('history points: one per run, oldest first, failed ones kept, a log scale when sizes differ 100 times', () => {
    const run = (id: string, startedAt: string, endedAt: string, status: 'succeeded' | 'failed' | 'cancelled', bytesSent?: number) => ({
      id,
      job: 'cvs',
      trigger: 'manual' as const,
      stamp: '',
      status,
      startedAt,
      endedAt,
      ...(bytesSent !== undefined ? { bytesSent } : {}),
    });
    const series = runSeries([
      run('c', '2026-11-24T10:00:00Z', '2026-11-24T10:00:30Z', 'succeeded', 961),
      run('b', '2026-11-23T11:00:00Z', '2026-11-23T11:00:05Z', 'failed'),
      run('a', '2026-11-23T10:00:00Z', '2026-11-23T10:00:50Z', 'cancelled', 4_000_000),
    ]);
    expect(series.unit).toBe('s');
    expect(series.logBytes).toBe(true);
    expect(series.points.map((p) => [p.id, p.status, p.bytes, p.duration])).toEqual([
      ['a', 'cancelled', 4_000_000, 50],
      ['b', 'failed', undefined, 5],
      ['c', 'succeeded', 961, 30],
    ]);
    expect(runSeries([run('x', '2026-11-23T10:00:00Z', '2026-11-23T10:10:00Z', 'succeeded', 5)]).points[0]).toMatchObject({ duration: 10 });
  });
});
