/**
 * The notifier with recording channels and an injected clock: one message
 * per wake-up, lanes in order, a failing channel retried with backoff and
 * shown as failing while the others go on, a test notice to one channel.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock';
import type { EngineEvent } from '../../shared/engine-events';
import type { RunRecord } from '../../shared/run-types';
import type { Message } from '../../electron/engine/notify/channel';
import { Notifier, runMessage } from '../../electron/engine/notify/notifier';
import { recordingChannel } from '../fixtures/recording-channel';

const run = (status: RunRecord['status'], extra: Partial<RunRecord> = {}): RunRecord => ({
  id: 'r1',
  job: 'daily',
  trigger: 'schedule',
  status,
  startedAt: '2026-11-23T12:30:00.000Z',
  stamp: '20261123',
  steps: [],
  ...extra,
});
const slots = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ slot: new Date(Date.UTC(2026, 10, 23 + i, 12, 30)).toISOString(), cause: 'laptop-off' as const }));
const summary = (m: Message) => (m.kind === 'notice' ? `${m.notice.kind}:${m.notice.title}` : `${m.phase}:${m.job}`);

describe('notifier', () => {
  it('a wake-up with 168 missed slots sends one notice per job per channel, then the catch-up outcome', async () => {
    const clock = new ManualClock('2026-11-30T09:00:00Z');
    const a = recordingChannel('a');
    const b = recordingChannel('b', (m) => m.kind === 'notice');
    const engine = new EventEmitter<{ event: [EngineEvent] }>();
    const notifier = new Notifier({ channels: [a, b], clock });
    notifier.attach(engine);
    const many = Array.from({ length: 168 }, (_, i) => ({ slot: new Date(Date.UTC(2026, 10, 23, 12 + i)).toISOString(), cause: 'laptop-off' as const }));
    for (const s of many) engine.emit('event', { type: 'missed', job: 'daily', ...s });
    engine.emit('event', { type: 'missed-found', job: 'daily', slots: many });
    engine.emit('event', { type: 'missed-found', job: 'other', slots: slots(2) });
    engine.emit('event', { type: 'run-started', run: run('running', { trigger: 'catch-up' }) });
    engine.emit('event', { type: 'run-finished', run: run('succeeded', { trigger: 'catch-up' }) });
    await notifier.idle();
    expect(a.sent.map(summary)).toEqual([
      'missed:168 backups missed: daily',
      'missed:2 backups missed: other',
      'start:daily',
      'caught-up:Caught up: daily',
      'succeeded:Backup done: daily',
      'success:daily',
    ]);
    expect(b.sent.map(summary)).toEqual([
      'missed:168 backups missed: daily',
      'missed:2 backups missed: other',
      'caught-up:Caught up: daily',
      'succeeded:Backup done: daily',
    ]);
  });

  it('a failing channel is retried with backoff on the clock, in order, and reported; the others are not held up', async () => {
    const clock = new ManualClock('2026-11-23T12:00:00Z');
    const good = recordingChannel('good');
    const bad = recordingChannel('bad');
    bad.down = 'webhook bad to 127.0.0.1:9: ECONNREFUSED';
    const logs: string[] = [];
    const notifier = new Notifier({
      channels: [good, bad],
      clock,
      retry: { firstMs: 30_000, maxMs: 120_000, maxAttempts: 5 },
      log: (l, m) => logs.push(`${l}: ${m}`),
    });
    notifier.handle({ type: 'run-started', run: run('running') });
    notifier.handle({ type: 'run-finished', run: run('failed', { error: { kind: 'unreachable', message: 'no route', step: 'connect' } }) });
    await notifier.idle();
    expect(good.sent.map(summary)).toEqual(['start:daily', 'failed:Backup failed: daily', 'fail:daily']);
    expect(bad.attempts).toBe(1);
    const status = notifier.status().find((s) => s.name === 'bad')!;
    expect(status).toMatchObject({
      state: 'failing',
      lastError: 'webhook bad to 127.0.0.1:9: ECONNREFUSED',
      pending: 3,
      failingSince: '2026-11-23T12:00:00.000Z',
    });
    expect(status.nextRetryAt).toBe('2026-11-23T12:00:30.000Z');
    expect(notifier.status().find((s) => s.name === 'good')).toMatchObject({ state: 'ok', pending: 0 });
    expect(logs).toContain('warn: alert channel bad: webhook bad to 127.0.0.1:9: ECONNREFUSED; next try at 2026-11-23T12:00:30.000Z');

    // Not due yet: no attempt. Due: one attempt, still down, the wait doubles.
    clock.advance(29_000);
    await notifier.tick();
    expect(bad.attempts).toBe(1);
    clock.advance(1_000);
    await notifier.tick();
    expect(bad.attempts).toBe(2);
    expect(notifier.status().find((s) => s.name === 'bad')!.nextRetryAt).toBe('2026-11-23T12:01:30.000Z');

    // The server is back: everything waiting goes, in the order it happened.
    bad.down = undefined;
    clock.advance(60_000);
    await notifier.tick();
    expect(bad.sent.map(summary)).toEqual(['start:daily', 'failed:Backup failed: daily', 'fail:daily']);
    expect(notifier.status().find((s) => s.name === 'bad')).toMatchObject({ state: 'ok', pending: 0, dropped: 0 });
    expect(notifier.status().find((s) => s.name === 'bad')!.lastError).toBeUndefined();
    expect(logs).toContain('info: alert channel bad: delivering again');
  });

  it('gives a message up after its last attempt and counts it', async () => {
    const clock = new ManualClock('2026-11-23T12:00:00Z');
    const bad = recordingChannel('bad');
    bad.down = 'HTTP 500';
    const notifier = new Notifier({ channels: [bad], clock, retry: { firstMs: 1000, maxMs: 1000, maxAttempts: 3 } });
    notifier.handle({ type: 'stale', job: 'daily', ageMs: 3 * 86_400_000 });
    await notifier.idle();
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      await notifier.tick();
    }
    expect(bad.attempts).toBe(3);
    expect(notifier.status()[0]).toMatchObject({ state: 'failing', pending: 0, dropped: 1, lastError: 'HTTP 500' });
  });

  it('a test goes to one channel or all, says what failed, and retries what was waiting', async () => {
    const clock = new ManualClock('2026-11-23T12:00:00Z');
    const a = recordingChannel('a');
    const b = recordingChannel('b');
    b.down = 'SMTP 535 bad login';
    const notifier = new Notifier({ channels: [a, b], clock });
    notifier.handle({ type: 'stale', job: 'daily', ageMs: 3 * 86_400_000 });
    await notifier.idle();
    expect(await notifier.test()).toEqual([
      { name: 'a', type: 'webhook', ok: true, message: 'sent' },
      { name: 'b', type: 'webhook', ok: false, message: 'SMTP 535 bad login' },
    ]);
    await expect(notifier.test('nope')).rejects.toThrow('no alert channel named "nope" (channels: a, b)');
    b.down = undefined;
    expect((await notifier.test('b')).map((r) => r.ok)).toEqual([true]);
    await notifier.idle();
    expect(b.sent.map(summary)).toEqual(['test:Burrow: test notice', 'stale:Backups are stale: daily']);
    expect(notifier.status()[1]).toMatchObject({ state: 'ok', pending: 0 });
  });

  it('run messages: dry runs say nothing; a cancelled run fails its ping', () => {
    expect(runMessage({ type: 'run-started', run: run('running', { dryRun: true }) })).toBeUndefined();
    expect(runMessage({ type: 'run-finished', run: run('cancelled') })).toMatchObject({ phase: 'fail', cause: 'cancelled' });
    expect(
      runMessage({ type: 'run-finished', run: run('failed', { error: { kind: 'rsync', message: 'rsync exited 23\nmore', step: 'transfer' } }) }),
    ).toMatchObject({
      phase: 'fail',
      cause: 'transfer: rsync exited 23 more',
    });
  });
});
