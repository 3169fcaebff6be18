import { describe, expect, it } from 'vitest';
import { applyRetention } from '../../shared/retention';
import { policyOf, previewRetention, stampOf } from '../../renderer/src/lib/retention-preview';
import { cronOf, pickSchedule } from '../../renderer/src/lib/schedule-picker';

describe('the schedule picker', () => {
  it.each([
    ['30 12 * * *', { mode: 'daily', time: '12:30' }],
    ['5 3 * * 1-5', { mode: 'weekdays', time: '03:05' }],
    ['15 * * * *', { mode: 'hourly', minute: 15 }],
    ['0 3 1 * *', { mode: 'custom' }],
    ['*/5 * * * *', { mode: 'custom' }],
  ])('reads %s as %j, and writes it back', (expr, expected) => {
    const picked = pickSchedule(expr);
    expect(picked).toMatchObject(expected);
    expect(cronOf(picked)).toBe(picked.mode === 'custom' ? undefined : expr);
  });
});

describe('the retention preview', () => {
  it('is the engine’s own selection over 400 daily backups', () => {
    const today = new Date(2026, 10, 26);
    const view = previewRetention(policyOf({ retention: { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 } }), today);
    const names = Array.from({ length: 400 }, (_, i) => `x.${stampOf(new Date(2026, 10, 26 - i))}.tar.bz2`);
    const engine = applyRetention(names, { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 }, '20261126');
    expect(view.kept).toEqual(
      engine.keep
        .map((k) => k.stamp)
        .sort()
        .reverse(),
    );
    expect(view.kept.length).toBeGreaterThan(15);
    expect(previewRetention(policyOf({}), today).kept).toHaveLength(29); // keepDays 28: today and the 28 before
  });
});
