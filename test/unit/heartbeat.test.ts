import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock';
import { Heartbeat } from '../../electron/engine/state/heartbeat';

const dir = mkdtempSync(join(tmpdir(), 'burrow-heartbeat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T0 = Date.parse('2026-11-26T12:00:00Z');

describe('the heartbeat file', () => {
  it('is rewritten only when a span starts; other beats set its mtime, which a reader takes as the end of the last span', async () => {
    const path = join(dir, 'a', 'heartbeat.json');
    const clock = new ManualClock(new Date(T0));
    const hb = await Heartbeat.open(path, clock);
    await hb.beat();
    const written = readFileSync(path, 'utf8');
    for (let i = 0; i < 5; i++) {
      clock.advance(30_000);
      await hb.beat();
    }
    expect(readFileSync(path, 'utf8')).toBe(written);
    expect(statSync(path).mtimeMs).toBe(T0 + 150_000);

    const later = new ManualClock(new Date(T0 + 3_600_000));
    const reopened = await Heartbeat.open(path, later);
    expect(reopened.lastSeenBefore()).toBe(T0 + 150_000);
    expect(reopened.allSpans()).toEqual([{ instance: hb.instance, from: T0, to: T0 + 150_000 }]);
  });

  it('writes the spans again when the clock jumps, keeping the end of the span before the jump', async () => {
    const path = join(dir, 'b', 'heartbeat.json');
    const clock = new ManualClock(new Date(T0));
    const hb = await Heartbeat.open(path, clock);
    await hb.beat();
    clock.advance(30_000);
    await hb.beat();
    clock.jump(7_200_000); // asleep for two hours: wall time moves, monotonic does not
    const beat = await hb.beat();
    expect(beat.jumped).toBe(true);
    const spans = (JSON.parse(readFileSync(path, 'utf8')) as { spans: unknown[] }).spans;
    expect(spans).toEqual([
      { instance: hb.instance, from: T0, to: T0 + 30_000 },
      { instance: hb.instance, from: T0 + 7_230_000, to: T0 + 7_230_000 },
    ]);
  });
});
