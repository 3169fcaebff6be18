import { describe, expect, it } from 'vitest';
import { classifySlot, findMissedSlots, nextSlot, previousSlot, slotsBetween } from '../../shared/missed-slots';

const at = (d: number, h: number, m = 0) => new Date(2026, 10, d, h, m).getTime(); // Nov 2026; the 23rd is a Monday
const iso = (t: number) => new Date(t).toISOString();

describe('schedule slots', () => {
  it('lists daily 12:30 slots in (from, to]', () => {
    const slots = slotsBetween('30 12 * * *', new Date(at(23, 11)), new Date(at(26, 9)));
    expect(slots.map((d) => d.getTime())).toEqual([at(23, 12, 30), at(24, 12, 30), at(25, 12, 30)]);
    expect(nextSlot('30 12 * * *', new Date(at(26, 9))).getTime()).toBe(at(26, 12, 30));
    expect(previousSlot('30 12 * * *', new Date(at(26, 12, 30))).getTime()).toBe(at(26, 12, 30));
  });
});

describe('missed slots', () => {
  const base = { schedule: '30 12 * * *', pauses: [], reported: new Set<string>() };

  it('laptop off Monday 11:00 to Thursday 09:00: three slots, cause laptop-off', () => {
    const spans = [
      { instance: 'a', from: at(23, 10), to: at(23, 11) },
      { instance: 'b', from: at(26, 9), to: at(26, 9) },
    ];
    const missed = findMissedSlots({ ...base, from: new Date(at(23, 10)), to: new Date(at(26, 9)), runs: [], spans });
    expect(missed).toEqual([
      { slot: iso(at(23, 12, 30)), cause: 'laptop-off' },
      { slot: iso(at(24, 12, 30)), cause: 'laptop-off' },
      { slot: iso(at(25, 12, 30)), cause: 'laptop-off' },
    ]);
  });

  it('asleep: the same process before and after, with the clock jumping over the slot', () => {
    const spans = [
      { instance: 'a', from: at(23, 8), to: at(23, 12) },
      { instance: 'a', from: at(23, 15), to: at(23, 15) },
    ];
    expect(classifySlot(at(23, 12, 30), [], spans, [])).toBe('asleep');
  });

  it('failed and skipped, and nothing for a slot with a successful run or already reported', () => {
    const spans = [{ instance: 'a', from: at(20, 0), to: at(26, 9) }];
    const runs = [
      { slot: iso(at(23, 12, 30)), startedAt: iso(at(23, 12, 30)), status: 'failed' as const },
      { slot: iso(at(24, 12, 30)), startedAt: iso(at(24, 12, 30)), status: 'succeeded' as const },
      { startedAt: iso(at(22, 12, 40)), status: 'succeeded' as const }, // a manual run in the grace period
    ];
    const pauses = [{ from: at(25, 0), to: at(25, 23) }];
    const missed = findMissedSlots({
      ...base,
      pauses,
      from: new Date(at(21, 13)),
      to: new Date(at(26, 9)),
      runs,
      spans,
      reported: new Set([iso(at(21, 12, 30))]),
    });
    expect(missed).toEqual([
      { slot: iso(at(23, 12, 30)), cause: 'failed' },
      { slot: iso(at(25, 12, 30)), cause: 'skipped' },
    ]);
  });

  it('reports nothing twice', () => {
    const input = { ...base, from: new Date(at(23, 10)), to: new Date(at(24, 13)), runs: [], spans: [] };
    const first = findMissedSlots(input);
    expect(first).toHaveLength(2);
    expect(findMissedSlots({ ...input, reported: new Set(first.map((m) => m.slot)) })).toEqual([]);
  });
});
