/**
 * Many jobs at once. The scheduler is driven by a ManualClock against a real
 * history store and heartbeat; only the backup itself is replaced (a run
 * that takes a while and succeeds), since what is tested here is who runs
 * when, not SSH (the lab tests do that).
 */
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppService, STATE_PUSH_MS } from '../../electron/engine/app/app-service';
import { JsonSettingsStore } from '../../electron/engine/app/settings-store';
import { Heartbeat } from '../../electron/engine/state/heartbeat';
import { History } from '../../electron/engine/state/history';
import { Scheduler } from '../../electron/engine/scheduler';
import type { AppEvent } from '../../shared/api-contract';
import { ManualClock } from '../../shared/clock';
import { validateConfig, type BurrowConfig, type JobConfig } from '../../shared/config-schema';
import type { EngineEvent } from '../../shared/engine-events';
import type { RunRecord } from '../../shared/run-types';

function config(jobs: number, hosts: number, extra: Record<string, unknown> = {}): BurrowConfig {
  const r = validateConfig({
    hosts: Object.fromEntries([
      ...Array.from({ length: hosts }, (_, i) => [`src${i}`, { hostname: `10.9.0.${i + 1}`, user: 'backup' }]),
      ['dest', { hostname: 'dest.example', user: 'backup' }],
    ]),
    jobs: Array.from({ length: jobs }, (_, i) => ({
      name: `job-${i}`,
      source: `src${i % hosts}`,
      paths: ['/srv/data'],
      holdingDir: '/var/BACKUPS',
      destination: { host: 'dest', path: `/backups/job-${i}` },
      schedule: '0 3 * * *',
    })),
    ...extra,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

/** Waits until `cond` holds, letting timers and I/O run. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

describe('50 jobs due at the same minute', () => {
  it('all complete, never more than maxConcurrentRuns at once nor two on one source host, and none is missed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'burrow-many-'));
    const cfg = config(50, 10);
    expect(cfg.maxConcurrentRuns).toBe(2); // the default
    const clock = new ManualClock('2026-11-26T02:59:00.000Z');
    const history = await History.open(dir);
    const heartbeat = await Heartbeat.open(join(dir, 'heartbeat.json'), clock);
    let running = 0;
    let peak = 0;
    const hostsBusy = new Map<string, number>();
    let hostClash = false;
    const release: (() => void)[] = [];
    const events: EngineEvent[] = [];
    const scheduler = new Scheduler({
      config: cfg,
      history,
      heartbeat,
      clock,
      probe: async () => true,
      runJob: async (job: JobConfig, trigger, slot) => {
        running++;
        peak = Math.max(peak, running);
        hostsBusy.set(job.source, (hostsBusy.get(job.source) ?? 0) + 1);
        if (hostsBusy.get(job.source)! > 1) hostClash = true;
        const start = clock.now().toISOString();
        const rec: RunRecord = {
          id: `${job.name}-run`,
          job: job.name,
          trigger,
          status: 'running',
          startedAt: start,
          stamp: '20261126',
          steps: [],
          ...(slot ? { slot } : {}),
        };
        await history.recordRun(rec);
        await new Promise<void>((r) => release.push(r));
        // Each run takes four minutes of the schedule's clock.
        clock.advance(4 * 60_000);
        hostsBusy.set(job.source, hostsBusy.get(job.source)! - 1);
        running--;
        const done = { ...rec, status: 'succeeded' as const, endedAt: clock.now().toISOString() };
        await history.recordRun(done);
        return done;
      },
    });
    scheduler.on('event', (e) => events.push(e));
    await scheduler.startUp();
    clock.set('2026-11-26T03:00:00.000Z');
    const slot = new Date('2026-11-26T03:00:00.000Z');
    const all = cfg.jobs.map((j) => scheduler.onSlot(j, slot));
    await until(() => release.length === 2, 'the first two runs');
    // The rest wait, visibly, in order.
    const waiting = cfg.jobs.map((j) => scheduler.status(j)).filter((s) => s.queued);
    expect(waiting).toHaveLength(48);
    expect(waiting[0]!.queued).toMatchObject({ trigger: 'schedule', slot: slot.toISOString(), ahead: 2 });
    expect(events.filter((e) => e.type === 'queued')).toHaveLength(48);
    // A check for missed slots while they wait (a tick after a clock jump, say) finds none.
    clock.advance(60_000);
    await scheduler.checkMissed('test');
    expect(events.filter((e) => e.type === 'missed')).toEqual([]);
    // Let them through, one finished run at a time.
    let finished = 0;
    while (finished < 50) {
      await until(() => release.length > 0, 'a run to let finish');
      release.shift()!();
      finished++;
      await new Promise((r) => setTimeout(r, 1));
    }
    const records = await Promise.all(all);
    expect(records.map((r) => r?.status)).toEqual(Array(50).fill('succeeded'));
    expect(peak).toBe(2);
    expect(hostClash).toBe(false);
    expect(scheduler.queue.peak).toBe(2);
    // Three hours and more later, every slot had its run: none missed, none outstanding.
    clock.set('2026-11-26T07:00:00.000Z');
    await scheduler.checkMissed('test');
    expect(events.filter((e) => e.type === 'missed')).toEqual([]);
    expect(history.missedSlots()).toEqual([]);
    expect(history.listRuns({ status: 'succeeded' })).toHaveLength(50);
    expect(cfg.jobs.every((j) => history.hasRunForSlot(j.name, slot.toISOString()))).toBe(true);
  });

  it('a bad maxConcurrentRuns is refused with the field named', () => {
    const r = validateConfig({ hosts: {}, maxConcurrentRuns: 0 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ field: 'maxConcurrentRuns', message: 'must be at least 1 (how many backups may run at once)' });
    const half = validateConfig({ hosts: {}, maxConcurrentRuns: 1.5 });
    if (!half.ok) expect(half.problems[0]?.message).toBe('must be a whole number of backups');
    expect(half.ok).toBe(false);
  });
});

describe('state pushes', () => {
  it('one push for a start-up that finds 3 days of missed slots for 50 jobs, then at most one per 100 ms', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'burrow-push-'));
    const now = new Date('2026-11-26T09:00:00.000Z');
    const off = now.getTime() - 3 * 86_400_000;
    const state = join(dir, 'state');
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, 'heartbeat.json'), JSON.stringify({ spans: [{ instance: 'old', from: off - 3_600_000, to: off }] }));
    // The file's mtime is the last beat: three days ago.
    utimesSync(join(state, 'heartbeat.json'), off / 1000, off / 1000);
    const events: AppEvent[] = [];
    const clock = new ManualClock(now);
    // Opened without a config first, so the start-up below is heard from its beginning.
    const service = await AppService.open({
      configPath: join(dir, 'config.json'),
      stateDir: state,
      settings: new JsonSettingsStore(join(dir, 'ui.json')),
      shell: 'web',
      schedule: false,
      clock,
    });
    service.on('event', (e) => events.push(e));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config(50, 50)));
    await service.load();
    expect(events.filter((e) => e.type === 'missed')).toHaveLength(150);
    expect(events.filter((e) => e.type === 'state')).toHaveLength(1);
    events.length = 0;
    const missed = service.engine!.history.missedSlots();
    expect(missed).toHaveLength(150);
    expect(service.state().jobs.every((j) => j.outstanding.length === 3)).toBe(true);
    // After start-up: 20 status changes in a burst come out as at most two pushes, the last one current.
    for (let i = 0; i < 20; i++) await service.engine!.scheduler.setPaused(i % 2 === 0);
    await until(() => events.some((e) => e.type === 'state'), 'a push');
    await new Promise((r) => setTimeout(r, STATE_PUSH_MS * 3));
    const pushes = events.filter((e) => e.type === 'state');
    expect(pushes.length).toBeLessThanOrEqual(2);
    const last = pushes[pushes.length - 1]!;
    expect(last.type === 'state' && last.state.paused).toBe(false);
    expect(events.filter((e) => e.type === 'schedule')).toHaveLength(20);
    await service.shutdown();
  });
});
