import { describe, expect, it } from 'vitest';
import { noticeFor } from '../../shared/notification-policy';
import type { RunRecord } from '../../shared/run-types';

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

describe('notification policy', () => {
  it('one notice per missed slot, naming the cause, with Run now', () => {
    const n = noticeFor({ type: 'missed', job: 'daily', slot: '2026-11-23T12:30:00.000Z', cause: 'laptop-off' });
    expect(n).toMatchObject({ kind: 'missed', title: 'Backup missed: daily', runNow: true });
    expect(n!.body).toContain('the laptop was off');
    expect(noticeFor({ type: 'missed', job: 'daily', slot: '2026-11-23T12:30:00.000Z', cause: 'asleep' })!.body).toContain('asleep');
    expect(noticeFor({ type: 'missed', job: 'daily', slot: '2026-11-23T12:30:00.000Z', cause: 'skipped' })!.runNow).toBe(false);
  });

  it('a failed slot is told once, by the failure itself', () => {
    expect(noticeFor({ type: 'missed', job: 'daily', slot: '2026-11-23T12:30:00.000Z', cause: 'failed' })).toBeUndefined();
    const n = noticeFor({ type: 'run-finished', run: run('failed', { error: { kind: 'port-in-use', message: 'port 9122 in use on test', step: 'tunnel' } }) });
    expect(n).toMatchObject({ kind: 'failed', body: 'port 9122 in use on test', runId: 'r1', urgency: 'critical' });
  });

  it('successes are silent unless asked for; cancelled runs are silent', () => {
    expect(noticeFor({ type: 'run-finished', run: run('succeeded') })).toBeUndefined();
    expect(noticeFor({ type: 'run-finished', run: run('cancelled') })).toBeUndefined();
    expect(noticeFor({ type: 'run-finished', run: run('succeeded') }, { quiet: false, notifySuccess: true })?.kind).toBe('succeeded');
  });

  it('stale says how old the last success is; quiet silences everything', () => {
    expect(noticeFor({ type: 'stale', job: 'daily', lastSuccess: 'r0', ageMs: 3 * 86_400_000 })!.body).toBe('The last successful backup was 3 days ago.');
    expect(noticeFor({ type: 'stale', job: 'daily', ageMs: 3 * 86_400_000 }, { quiet: true, notifySuccess: true })).toBeUndefined();
    expect(noticeFor({ type: 'progress', runId: 'r', progress: { bytes: 1, percent: 1, speedBps: 1 } })).toBeUndefined();
  });
});
