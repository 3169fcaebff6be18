import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { History } from '../../electron/engine/state/history';
import type { RunRecord } from '../../shared/run-types';

function record(i: number, status: RunRecord['status']): RunRecord {
  const start = new Date(Date.UTC(2025, 0, 1, 12, 30) + i * 86_400_000);
  return {
    id: `run-${i}`,
    job: i % 2 ? 'etc' : 'cvs',
    trigger: 'schedule',
    status,
    startedAt: start.toISOString(),
    endedAt: new Date(start.getTime() + 60_000).toISOString(),
    stamp: '20250101',
    steps: [{ name: 'transfer', status: status === 'succeeded' ? 'ok' : 'failed', durationMs: 4000, bytes: 1e6 }],
  };
}

describe('history', () => {
  it('holds two years of daily runs and answers last N, last success (skipping failures) and date ranges', async () => {
    const path = mkdtempSync(join(tmpdir(), 'burrow-history-'));
    const h = await History.open(path);
    await h.addAll(Array.from({ length: 2 * 730 }, (_, i) => ({ t: 'run' as const, run: record(i, i % 7 === 6 || i === 1459 ? 'failed' : 'succeeded') })));
    const again = await History.open(path);
    expect(again.listRuns().length).toBe(1460);
    expect(again.listRuns({ limit: 3 }).map((r) => r.id)).toEqual(['run-1459', 'run-1458', 'run-1457']);
    expect(again.lastSuccess('cvs')?.id).toBe('run-1458');
    expect(again.lastSuccess('etc')?.id).toBe('run-1457');
    const range = again.listRuns({ from: new Date(Date.UTC(2025, 5, 1)), to: new Date(Date.UTC(2025, 5, 30, 23)) });
    expect(range).toHaveLength(30);
  });

  it('keeps the latest version of a run recorded at its start and its end', async () => {
    const path = mkdtempSync(join(tmpdir(), 'burrow-history-'));
    const h = await History.open(path);
    await h.recordRun(record(1, 'running'));
    await h.recordRun(record(1, 'succeeded'));
    const again = await History.open(path);
    expect(again.listRuns().map((r) => r.status)).toEqual(['succeeded']);
  });

  it('pages newest first with filters, and the pages put together are the whole filtered list', async () => {
    const h = await History.open(mkdtempSync(join(tmpdir(), 'burrow-history-')));
    await h.addAll(Array.from({ length: 300 }, (_, i) => ({ t: 'run' as const, run: record(i, i % 10 === 0 ? 'failed' : 'succeeded') })));
    const seen: string[] = [];
    let before: string | undefined;
    do {
      const page = h.pageRuns({ job: 'cvs', status: 'succeeded', limit: 40, ...(before ? { before } : {}) });
      expect(page.runs.length).toBeLessThanOrEqual(40);
      seen.push(...page.runs.map((r) => r.id));
      before = page.next;
    } while (before);
    expect(seen).toEqual(h.listRuns({ job: 'cvs', status: 'succeeded' }).map((r) => r.id));
    expect(seen).toHaveLength(120); // even i (cvs), not a multiple of 10
    expect(new Set(seen).size).toBe(seen.length);
    const june = h.pageRuns({ from: new Date(Date.UTC(2025, 5, 1)), to: new Date(Date.UTC(2025, 5, 30, 23)), limit: 100 });
    expect(june.runs).toHaveLength(30);
    expect(june.next).toBeUndefined();
    expect(() => h.pageRuns({ limit: 5, before: 'x; DROP TABLE runs' })).toThrow(/not a page cursor/);
  });

  it('keeps a run whole: what getRun returns is what was recorded; lists carry only summaries', async () => {
    const h = await History.open(mkdtempSync(join(tmpdir(), 'burrow-history-')));
    const full: RunRecord = {
      ...record(7, 'succeeded'),
      slot: '2025-01-08T12:30:00.000Z',
      transfer: { bytesSent: 42, bytesReceived: 1, totalSize: 99, transferred: ['a', 'b'], deleted: ['c'] },
      log: [{ at: '2025-01-08T12:30:01.000Z', level: 'warn', message: 'careful' }],
      verified: [{ name: 'x.tar.gz', size: 3, sha256: 'ab'.repeat(32) }],
    };
    await h.recordRun(full);
    expect(JSON.stringify(h.getRun(full.id))).toBe(JSON.stringify(full));
    expect(h.listRuns()[0]).toEqual({
      id: full.id,
      job: full.job,
      trigger: 'schedule',
      slot: full.slot,
      status: 'succeeded',
      startedAt: full.startedAt,
      endedAt: full.endedAt,
      stamp: full.stamp,
      bytesSent: 42,
    });
    expect(h.recordedSums('etc').get('x.tar.gz')).toBe('ab'.repeat(32));
    expect(h.hasRunForSlot('etc', full.slot!)).toBe(true);
  });

  it("totals per day: bytes summed, the longest run, in the asker's time zone", async () => {
    const h = await History.open(mkdtempSync(join(tmpdir(), 'burrow-history-')));
    const at = (iso: string, secs: number, bytes: number, id: string): RunRecord => ({
      ...record(0, 'succeeded'),
      id,
      startedAt: iso,
      endedAt: new Date(Date.parse(iso) + secs * 1000).toISOString(),
      transfer: { bytesSent: bytes, bytesReceived: 0, totalSize: 0, transferred: [], deleted: [] },
    });
    await h.addAll(
      [
        at('2026-11-23T12:00:00.000Z', 20, 1_000_000, 'a'),
        at('2026-11-23T13:00:00.000Z', 50, 500_000, 'b'),
        at('2026-11-24T12:00:00.000Z', 30, 2_000_000, 'c'),
        at('2026-11-24T23:30:00.000Z', 10, 1, 'd'),
      ].map((run) => ({ t: 'run' as const, run })),
    );
    expect(h.runDays({ from: new Date('2026-11-01'), tzOffsetMinutes: 0 })).toEqual([
      { day: '2026-11-23', bytesSent: 1_500_000, longestMs: 50_000, runs: 2 },
      { day: '2026-11-24', bytesSent: 2_000_001, longestMs: 30_000, runs: 2 },
    ]);
    // An hour east of UTC, 23:30 UTC is already the next day.
    expect(h.runDays({ from: new Date('2026-11-01'), tzOffsetMinutes: 60 }).map((d) => [d.day, d.runs])).toEqual([
      ['2026-11-23', 2],
      ['2026-11-24', 1],
      ['2026-11-25', 1],
    ]);
  });

  it("a job's summary is cached, and another process's write is seen", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'burrow-history-'));
    const a = await History.open(dir);
    const b = await History.open(dir);
    await a.recordRun(record(0, 'succeeded'));
    expect(b.job('cvs').lastSuccess?.id).toBe('run-0');
    expect(b.job('cvs')).toBe(b.job('cvs')); // no new lookups while nothing changed
    await a.recordRun(record(2, 'failed'));
    await a.add({ t: 'missed', job: 'cvs', slot: '2025-01-03T12:30:00.000Z', cause: 'failed', detectedAt: '2025-01-03T13:00:00.000Z' });
    expect(b.job('cvs')).toMatchObject({ lastRun: { id: 'run-2', status: 'failed' }, lastSuccess: { id: 'run-0' } });
    expect(b.outstanding('cvs').map((m) => m.slot)).toEqual(['2025-01-03T12:30:00.000Z']);
    await a.add({ t: 'caught-up', job: 'cvs', slots: ['2025-01-03T12:30:00.000Z'], runId: 'run-4', at: '2025-01-05T12:31:00.000Z' });
    expect(b.outstanding('cvs')).toEqual([]);
    expect(b.missedSlots('cvs')[0]?.caughtUpBy).toBe('run-4');
  });

  it('pauses: the state now from the last toggle, and the intervals that reach a moment, without reading older ones', async () => {
    const h = await History.open(mkdtempSync(join(tmpdir(), 'burrow-history-')));
    const at = (d: number, paused: boolean) => ({ t: 'pause' as const, paused, at: new Date(Date.UTC(2026, 0, d)).toISOString() });
    await h.addAll([at(1, true), at(2, false), at(5, true), at(8, false), at(10, true)]);
    expect(h.isPaused()).toBe(true);
    const ms = (d: number) => Date.UTC(2026, 0, d);
    expect(h.pauseIntervals()).toEqual([{ from: ms(1), to: ms(2) }, { from: ms(5), to: ms(8) }, { from: ms(10) }]);
    // From the 6th: the pause that began on the 5th still counts, the one of the 1st does not.
    expect(h.pauseIntervals(new Date(ms(6)))).toEqual([{ from: ms(5), to: ms(8) }, { from: ms(10) }]);
    expect(h.pauseIntervals(new Date(ms(9)))).toEqual([{ from: ms(10) }]);
    await h.add(at(11, false));
    expect(h.isPaused()).toBe(false);
  });
});
