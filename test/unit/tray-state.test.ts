import { describe, expect, it } from 'vitest';
import type { AppState, LiveRun } from '../../shared/api-contract';
import type { JobStatus } from '../../shared/engine-events';
import { buildTrayMenu, describeNext, trayIcon, trayTooltip } from '../../shared/tray-state';

const now = new Date(2026, 10, 26, 9, 0);
const job = (over: Partial<JobStatus> = {}): JobStatus => ({
  job: 'daily',
  schedule: '30 12 * * *',
  paused: false,
  running: false,
  nextRunAt: new Date(2026, 10, 26, 12, 30).toISOString(),
  outstanding: [],
  stale: false,
  lastSuccessAt: new Date(2026, 10, 26, 6, 0).toISOString(),
  lastSuccessAgeMs: 3 * 3_600_000,
  lastRun: { id: 'r1', status: 'succeeded', startedAt: '2026-11-26T06:00:00.000Z' },
  ...over,
});
const state = (over: Partial<AppState> = {}): AppState => ({
  configured: true,
  configPath: '/c.json',
  configProblems: [],
  paused: false,
  jobs: [job()],
  live: {},
  settings: { quiet: false, notifySuccess: false, startAtLogin: false },
  shell: 'electron',
  ...over,
});
const live = (tunnel: LiveRun['tunnel']['state'], percent?: number): Record<string, LiveRun> => ({
  daily: {
    runId: 'r2',
    job: 'daily',
    trigger: 'manual',
    startedAt: now.toISOString(),
    tunnel: { state: tunnel, port: 40123 },
    steps: [{ name: 'transfer', status: 'running' }],
    ...(percent !== undefined ? { progress: { bytes: 1, percent, speedBps: 12_500_000 } } : {}),
  },
});

describe('tray icon', () => {
  it.each([
    ['setup', state({ configured: false, jobs: [] })],
    ['ok', state()],
    ['running', state({ live: live('requesting') })],
    ['tunnel', state({ live: live('up') })],
    ['paused', state({ paused: true })],
    ['failed', state({ jobs: [job({ lastRun: { id: 'r', status: 'failed', startedAt: 'x' } })] })],
    ['missed', state({ jobs: [job({ outstanding: [{ slot: 'x', cause: 'laptop-off' }] })] })],
    ['missed', state({ jobs: [job({ stale: true })] })],
    ['paused', state({ jobs: [job({ outstanding: [{ slot: 'x', cause: 'deferred-battery' }] })] })],
    [
      'missed',
      state({
        jobs: [
          job({
            outstanding: [
              { slot: 'x', cause: 'deferred-battery' },
              { slot: 'y', cause: 'asleep' },
            ],
          }),
        ],
      }),
    ],
  ] as const)('shows %s', (icon, s) => {
    expect(trayIcon(s)).toBe(icon);
  });
});

describe('tray tooltip', () => {
  it('names what a deferred backup waits for, apart from the missed ones', () => {
    const deferred = job({
      outstanding: [
        { slot: 'a', cause: 'deferred-battery' },
        { slot: 'b', cause: 'deferred-metered' },
        { slot: 'c', cause: 'laptop-off' },
      ],
    });
    expect(trayTooltip(state({ jobs: [deferred] }), now)).toBe(
      'Last backup 3 h ago · next today 12:30 · 1 missed · deferred: on battery, deferred: metered network',
    );
    const onlyDeferred = state({ jobs: [job({ outstanding: [{ slot: 'a', cause: 'deferred-metered' }] })] });
    expect(trayTooltip(onlyDeferred, now)).toBe('Last backup 3 h ago · next today 12:30 · deferred: metered network');
    expect(buildTrayMenu(onlyDeferred)[0]!.label).toBe('daily: deferred: metered network');
  });

  it('says when the last backup was and when the next is', () => {
    expect(trayTooltip(state(), now)).toBe('Last backup 3 h ago · next today 12:30');
    expect(trayTooltip(state({ paused: true }), now)).toBe('Last backup 3 h ago · schedule paused');
    expect(trayTooltip(state({ jobs: [job({ outstanding: [{ slot: 'x', cause: 'asleep' }] })] }), now)).toContain('· 1 missed');
  });
  it('shows the live transfer', () => {
    expect(trayTooltip(state({ live: live('up', 42) }), now)).toBe('Burrow · daily: transfer 42% · 12.5 MB/s');
  });
  it('asks for set-up when there is no job', () => {
    expect(trayTooltip(state({ configured: false }), now)).toBe('Burrow · set up Burrow');
  });
  it('names the next day', () => {
    expect(describeNext(new Date(2026, 10, 27, 12, 30), now)).toBe('tomorrow 12:30');
    expect(describeNext(new Date(2026, 10, 30, 12, 30), now)).toBe('Mon 30 Nov 12:30');
  });
});

describe('tray menu', () => {
  it('has a status line per job, Run now, Pause, Open, Check, Settings and Quit', () => {
    const labels = buildTrayMenu(state()).map((i) => i.label);
    expect(labels).toEqual([
      'daily: ok, 3 h ago',
      '',
      'Run now: daily',
      'Pause schedule',
      '',
      'Open Burrow',
      'Check connections',
      'Settings…',
      'Start at login',
      '',
      'Quit',
    ]);
  });
  it('offers Cancel while running and Resume while paused', () => {
    const labels = buildTrayMenu(state({ live: live('up'), paused: true })).map((i) => i.label);
    expect(labels).toContain('Cancel daily');
    expect(labels).toContain('Resume schedule');
    expect(labels[0]).toBe('daily: running (transfer)');
  });
  it('offers set-up before anything else exists', () => {
    expect(buildTrayMenu(state({ configured: false, jobs: [] })).map((i) => i.action?.kind)).toEqual([undefined, 'setup', undefined, 'quit']);
  });
});
