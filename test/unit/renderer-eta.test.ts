import { describe, expect, it } from 'vitest';
import { formatTimeLeft, nextEstimate, type Estimate } from '../../renderer/src/lib/eta';

describe('the transfer estimate', () => {
  it('holds steady through rsync lines without an ETA and bursts of speed', () => {
    // 500 MB at about 10 MB/s; every other line ends a file (no ETA of rsync's own), and the speed jumps.
    let est: Estimate | undefined;
    const lefts: number[] = [];
    for (let s = 1; s <= 40; s++) {
      const bytes = s * 10_000_000;
      const speedBps = s % 3 === 0 ? 30_000_000 : 7_000_000;
      est = nextEstimate(est, { bytes, percent: Math.floor((bytes / 500_000_000) * 100), speedBps, ...(s % 2 ? { etaSec: 9 } : {}) });
      expect(est.etaSec, `line ${s}`).toBeDefined();
      lefts.push(est.etaSec!);
    }
    expect(est!.totalBytes).toBeGreaterThanOrEqual(500_000_000);
    // Never up by more than a third from one line to the next, though rsync's speed triples and drops.
    for (let i = 1; i < lefts.length; i++) expect(lefts[i]!).toBeLessThan(lefts[i - 1]! * 1.34);
    expect(lefts.at(-1)!).toBeLessThan(lefts[0]!);
  });

  it('has no total before rsync says a percent, and words the time left coarsely', () => {
    expect(nextEstimate(undefined, { bytes: 0, percent: 0, speedBps: 0 })).toEqual({ speedBps: 0 });
    expect(formatTimeLeft(undefined)).toBeUndefined();
    expect(formatTimeLeft(0.4)).toBe('almost done');
    expect(formatTimeLeft(2.2)).toBe('about 3 s left');
    expect(formatTimeLeft(21)).toBe('about 25 s left');
    expect(formatTimeLeft(250)).toBe('about 4 min left');
    expect(formatTimeLeft(4200)).toBe('about 1 h 10 min left');
  });
});
