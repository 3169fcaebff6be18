import { describe, expect, it } from 'vitest';
import { applyRetention, durationDays } from '../../shared/retention';

/** YYYYMMDD of the calendar day `n` days after 2025-01-01 (UTC arithmetic, no DST involved). */
const stamp = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
const name = (s: string) => `etc.${s}.tar.bz2`;
const days400 = Array.from({ length: 400 }, (_, i) => name(stamp(i))); // 2025-01-01 .. 2026-02-04
const today = stamp(399); // 20260204, a Wednesday

describe('retention', () => {
  it('daily 7, weekly 4, monthly 6 over 400 days of archives', () => {
    const r = applyRetention(days400, { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 }, today);
    const kept = r.keep.map((d) => d.stamp).sort();
    expect(kept).toEqual([
      // monthly 6: the newest archive of each of the last 6 months with one (February counts; its newest is today's)
      '20250930',
      '20251031',
      '20251130',
      '20251231',
      // weekly 4: the newest of each of the last 4 ISO weeks (W06 is today's, W05 ends Sunday 1 Feb)
      '20260118',
      '20260125',
      // daily 7: the last 7 days, which include 20260131 (monthly 2), 20260201 (weekly 2) and today
      '20260129',
      '20260130',
      '20260131',
      '20260201',
      '20260202',
      '20260203',
      '20260204',
    ]);
    expect(r.remove).toHaveLength(400 - kept.length);
    expect(r.keep.find((d) => d.stamp === '20260204')!.reasons).toEqual(['daily 1', 'weekly 1', 'monthly 1']);
    expect(r.keep.find((d) => d.stamp === '20260131')!.reasons).toEqual(['daily 5', 'monthly 2']);
    expect(r.summary).toBe(`${400 - kept.length} archives will be deleted, ${kept.length} kept`);
  });

  it('edges at exactly N days: keepDays 28 keeps 28 and deletes 29; keepWithin 30d keeps 30 and deletes 31', () => {
    const names = [27, 28, 29, 30, 31].map((age) => name(stamp(399 - age)));
    const a = applyRetention(names, { keepDays: 28 }, today);
    expect(a.keep.map((d) => d.stamp)).toEqual([stamp(371), stamp(372)].sort());
    const b = applyRetention(names, { keepWithin: '30d' }, today);
    expect(b.remove.map((d) => d.stamp)).toEqual([stamp(368)]);
  });

  it('counts calendar days across a daylight-saving change (Europe, 29-30 March 2026)', () => {
    const names = ['20260328', '20260329', '20260330'].map(name);
    const r = applyRetention(names, { keepDays: 1 }, '20260330');
    expect(r.keep.map((d) => d.stamp)).toEqual(['20260329', '20260330']);
    expect(r.remove.map((d) => d.stamp)).toEqual(['20260328']);
  });

  it('a clock moved back a day keeps everything, the future archive with a warning, and deletes nothing extra', () => {
    const names = Array.from({ length: 10 }, (_, i) => name(stamp(390 + i)));
    const r = applyRetention(names, { keepDaily: 7 }, stamp(398)); // the newest archive is "tomorrow"
    expect(r.keep.find((d) => d.stamp === stamp(399))!.reasons).toEqual(['dated in the future']);
    expect(r.warnings[0]).toMatch(/dated after today .* is the clock right\?/);
    expect(r.remove.map((d) => d.stamp)).toEqual([stamp(390), stamp(391)]);
  });

  it('judges each directory on its own and never touches other files', () => {
    const names = [name('20260101'), 'cvs.20250101.tar.bz2', 'notes.txt'];
    const r = applyRetention(names, { keepDaily: 1 }, '20260204');
    expect(r.keep.map((d) => d.name).sort()).toEqual(['cvs.20250101.tar.bz2', 'etc.20260101.tar.bz2']);
    expect(r.remove).toEqual([]);
  });

  it('reads durations and refuses nonsense', () => {
    expect(durationDays('2w')).toBe(14);
    expect(() => durationDays('soon')).toThrow(/not a duration/);
  });
});
