import { describe, expect, it } from 'vitest';
import { DEFAULT_NOTIFICATIONS, desktopShows, NoticePolicy, testNotice } from '../../shared/notification-policy';
import type { MissedSlot } from '../../shared/missed-slots';
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
const now = () => new Date('2026-11-30T09:00:00Z');
/** Daily 12:30 slots from Mon 23 Nov, UTC. */
const slots = (n: number, cause: MissedSlot['cause'] = 'laptop-off'): MissedSlot[] =>
  Array.from({ length: n }, (_, i) => ({ slot: new Date(Date.UTC(2026, 10, 23 + i, 12, 30)).toISOString(), cause }));

describe('notification policy', () => {
  it('slots found together make one notice naming the count, the cause and the range, with Run now', () => {
    const p = new NoticePolicy(now);
    const notices = p.decide({ type: 'missed-found', job: 'daily', slots: slots(7) });
    expect(notices).toHaveLength(1);
    const n = notices[0]!;
    expect(n).toMatchObject({ kind: 'missed', job: 'daily', title: '7 backups missed: daily', runNow: true, at: now().toISOString() });
    expect(n.body).toMatch(/^7 backups missed \(the laptop was off\), Mon 23 Nov \d\d:\d\d – Sun 29 Nov \d\d:\d\d; catching up now\.$/);
  });

  it('one slot reads as one; mixed causes are counted; a paused schedule is not caught up', () => {
    const p = new NoticePolicy(now);
    expect(p.decide({ type: 'missed-found', job: 'daily', slots: slots(1, 'asleep') })[0]!.body).toMatch(
      /^The backup due Mon 23 Nov .* the laptop was asleep; catching up now\.$/,
    );
    const mixed = p.decide({ type: 'missed-found', job: 'daily', slots: [...slots(2), { slot: '2026-11-26T12:30:00.000Z', cause: 'asleep' }] })[0]!;
    expect(mixed.body).toContain('(the laptop was off: 2; the laptop was asleep: 1)');
    const paused = new NoticePolicy(now).decide({ type: 'missed-found', job: 'daily', slots: slots(2, 'skipped') })[0]!;
    expect(paused.runNow).toBe(false);
    expect(paused.body).toMatch(/the schedule was paused\), .*\.$/);
    expect(paused.body).not.toContain('catching up');
  });

  it('a failed slot is told by the failure itself; deferred slots are not told', () => {
    const p = new NoticePolicy(now);
    expect(p.decide({ type: 'missed-found', job: 'daily', slots: slots(1, 'failed') })).toEqual([]);
    expect(p.decide({ type: 'missed-found', job: 'daily', slots: [...slots(1, 'deferred-battery'), ...slots(1, 'deferred-metered')] })).toEqual([]);
    const [n] = p.decide({ type: 'run-finished', run: run('failed', { error: { kind: 'port-in-use', message: 'port 9122 in use on test', step: 'tunnel' } }) });
    expect(n).toMatchObject({ kind: 'failed', title: 'Backup failed: daily', body: 'port 9122 in use on test', runId: 'r1', urgency: 'critical' });
  });

  it("then one notice with the catch-up's outcome: the first failure, silence, then caught up", () => {
    const p = new NoticePolicy(now);
    p.decide({ type: 'missed-found', job: 'daily', slots: slots(3) });
    const fail = (id: string) => ({
      type: 'run-finished' as const,
      run: run('failed', { id, trigger: 'catch-up', error: { kind: 'unreachable', message: 'test: no route to host' } }),
    });
    expect(p.decide(fail('c1')).map((n) => [n.kind, n.title, n.body])).toEqual([
      ['failed', 'Catch-up failed: daily', 'test: no route to host. Burrow tries again until the next scheduled backup.'],
    ]);
    expect(p.decide(fail('c2'))).toEqual([]);
    // Stale found at the same wake-up: the missed notice said it.
    expect(p.decide({ type: 'stale', job: 'daily', ageMs: 7 * 86_400_000 })).toEqual([]);
    const done = p.decide({ type: 'run-finished', run: run('succeeded', { id: 'c3', trigger: 'catch-up' }) });
    expect(done.map((n) => n.kind)).toEqual(['caught-up', 'succeeded']);
    expect(done[0]!.body).toMatch(/^Run c3 covers 3 missed backups \(Mon 23 Nov .* – Wed 25 Nov .*\)\.$/);
    // The episode is over: the next success is only a success.
    expect(p.decide({ type: 'run-finished', run: run('succeeded', { id: 'r9' }) }).map((n) => n.kind)).toEqual(['succeeded']);
    // What comes next follows the cause: at once when the laptop slept, not at all when a person must act.
    p.decide({ type: 'missed-found', job: 'daily', slots: slots(1) });
    const slept = { kind: 'slept' as const, message: "the laptop slept during the transfer (for 2 h) and the run's connections did not survive it" };
    expect(p.decide({ type: 'run-finished', run: run('failed', { id: 'c4', trigger: 'catch-up', error: slept }) })[0]!.body).toBe(
      `${slept.message}. Burrow tries again as soon as both hosts answer.`,
    );
    const gate = { kind: 'gate-stale' as const, message: 'the source gate on test does not match the config' };
    expect(p.decide({ type: 'run-finished', run: run('failed', { id: 'r11', trigger: 'schedule', error: gate }) })[0]!.body).toMatch(
      /does not match the config\. Burrow does not try this again by itself: it needs you\./,
    );
    // And a scheduled run's failure is always told.
    expect(p.decide({ type: 'run-finished', run: run('failed', { id: 'r10' }) }).map((n) => n.title)).toEqual(['Backup failed: daily']);
  });

  it('stale says how old the last success is; dry runs and progress say nothing', () => {
    const p = new NoticePolicy(now);
    expect(p.decide({ type: 'stale', job: 'daily', lastSuccess: 'r0', ageMs: 3 * 86_400_000 })[0]!.body).toBe('The last successful backup was 3 days ago.');
    expect(p.decide({ type: 'run-finished', run: run('failed', { dryRun: true }) })).toEqual([]);
    expect(p.decide({ type: 'run-finished', run: run('cancelled') })).toEqual([]);
    expect(p.decide({ type: 'progress', runId: 'r', progress: { bytes: 1, percent: 1, speedBps: 1 } })).toEqual([]);
  });

  it('the desktop: successes only when asked for, quiet silences all but a test', () => {
    const [ok] = new NoticePolicy(now).decide({ type: 'run-finished', run: run('succeeded') });
    const [stale] = new NoticePolicy(now).decide({ type: 'stale', job: 'daily', ageMs: 3 * 86_400_000 });
    expect(desktopShows(ok!, DEFAULT_NOTIFICATIONS)).toBe(false);
    expect(desktopShows(ok!, { quiet: false, notifySuccess: true })).toBe(true);
    expect(desktopShows(stale!, DEFAULT_NOTIFICATIONS)).toBe(true);
    expect(desktopShows(stale!, { quiet: true, notifySuccess: true })).toBe(false);
    expect(desktopShows(testNotice(now()), { quiet: true, notifySuccess: false })).toBe(true);
  });
});
