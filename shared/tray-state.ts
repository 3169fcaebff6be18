/**
 * The tray, as pure functions of the app state: which icon, what tooltip,
 * which menu. The Electron shell turns the menu model into a real Menu on
 * every state change; clicks only call the engine.
 */
import { formatSpeed } from './format-bytes';
import type { AppState } from './api-contract';
import type { JobStatus } from './engine-events';
import { CAUSE_TEXT, describeAge, isDeferral } from './notification-policy';

export const TRAY_ICONS = ['setup', 'ok', 'running', 'tunnel', 'failed', 'missed', 'paused'] as const;
export type TrayIcon = (typeof TRAY_ICONS)[number];

export type TrayAction =
  | { kind: 'run-now'; job: string }
  | { kind: 'cancel'; job: string }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'open' }
  | { kind: 'check' }
  | { kind: 'settings' }
  | { kind: 'setup' }
  | { kind: 'start-at-login'; on: boolean }
  | { kind: 'quit' };

export interface MenuItemModel {
  label: string;
  type?: 'normal' | 'separator' | 'checkbox';
  enabled?: boolean;
  checked?: boolean;
  action?: TrayAction;
}

/** Most urgent first: a run in progress, then what needs attention, then all is well. */
export function trayIcon(state: AppState): TrayIcon {
  if (!state.configured) return 'setup';
  const live = Object.values(state.live);
  if (live.some((r) => r.tunnel.state === 'up')) return 'tunnel';
  if (live.length > 0) return 'running';
  if (state.paused) return 'paused';
  if (state.jobs.some((j) => j.lastRun?.status === 'failed')) return 'failed';
  if (state.jobs.some((j) => missedCount(j) > 0 || j.stale)) return 'missed';
  // Deferred by the laptop rules: waiting, like a pause, not a problem.
  if (state.jobs.some((j) => deferrals(j).length > 0)) return 'paused';
  return 'ok';
}

/** Slots missed and not caught up, deferred ones aside. */
function missedCount(j: JobStatus): number {
  return j.outstanding.filter((m) => !isDeferral(m.cause)).length;
}

/** What a job's deferred slots wait for, in words ("deferred: on battery"), once each. */
export function deferrals(j: JobStatus): string[] {
  return [...new Set(j.outstanding.filter((m) => isDeferral(m.cause)).map((m) => CAUSE_TEXT[m.cause]))];
}

/** "today 12:30", "tomorrow 12:30", or "Mon 30 Nov 12:30". */
export function describeNext(next: Date, now: Date): string {
  const hm = `${String(next.getHours()).padStart(2, '0')}:${String(next.getMinutes()).padStart(2, '0')}`;
  const day = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const diff = Math.round((day(next) - day(now)) / 86_400_000);
  if (diff === 0) return `today ${hm}`;
  if (diff === 1) return `tomorrow ${hm}`;
  return `${next.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short' })} ${hm}`;
}

export function trayTooltip(state: AppState, now: Date): string {
  if (!state.configured) return 'Burrow · set up Burrow';
  const live = Object.values(state.live)[0];
  if (live) {
    const step = live.steps.find((s) => s.status === 'running')?.name ?? 'starting';
    const p = live.progress;
    const progress = step === 'transfer' && p ? ` ${p.percent}% · ${formatSpeed(p.speedBps)}` : '';
    return `Burrow · ${live.job}: ${step}${progress}`;
  }
  const successes = state.jobs.map((j) => j.lastSuccessAgeMs).filter((a): a is number => a !== undefined);
  const last = successes.length ? `Last backup ${describeAge(Math.max(...successes))} ago` : 'No backup yet';
  const nexts = state.jobs.map((j) => Date.parse(j.nextRunAt)).filter((t) => !Number.isNaN(t));
  const next = state.paused ? 'schedule paused' : nexts.length ? `next ${describeNext(new Date(Math.min(...nexts)), now)}` : 'nothing scheduled';
  const missed = state.jobs.reduce((n, j) => n + missedCount(j), 0);
  const deferred = [...new Set(state.jobs.flatMap(deferrals))];
  return `${last} · ${next}${missed ? ` · ${missed} missed` : ''}${deferred.length ? ` · ${deferred.join(', ')}` : ''}`;
}

function jobLine(state: AppState, job: AppState['jobs'][number]): string {
  const live = state.live[job.job];
  if (live) return `${job.job}: running (${live.steps.find((s) => s.status === 'running')?.name ?? 'starting'})`;
  if (missedCount(job)) return `${job.job}: ${missedCount(job)} missed`;
  const deferred = deferrals(job);
  if (deferred.length) return `${job.job}: ${deferred.join(', ')}`;
  if (job.lastRun?.status === 'failed') return `${job.job}: last run failed`;
  if (job.lastSuccessAgeMs !== undefined) return `${job.job}: ok, ${describeAge(job.lastSuccessAgeMs)} ago`;
  return `${job.job}: never run`;
}

export function buildTrayMenu(state: AppState): MenuItemModel[] {
  const sep: MenuItemModel = { label: '', type: 'separator' };
  if (!state.configured) {
    return [
      { label: 'Burrow is not set up yet', enabled: false },
      { label: 'Set up Burrow…', action: { kind: 'setup' } },
      sep,
      { label: 'Quit', action: { kind: 'quit' } },
    ];
  }
  const items: MenuItemModel[] = state.jobs.map((j) => ({ label: jobLine(state, j), enabled: false }));
  items.push(sep);
  for (const j of state.jobs) {
    items.push(
      state.live[j.job]
        ? { label: `Cancel ${j.job}`, action: { kind: 'cancel', job: j.job } }
        : { label: `Run now: ${j.job}`, action: { kind: 'run-now', job: j.job } },
    );
  }
  items.push(
    state.paused ? { label: 'Resume schedule', action: { kind: 'resume' } } : { label: 'Pause schedule', action: { kind: 'pause' } },
    sep,
    { label: 'Open Burrow', action: { kind: 'open' } },
    { label: 'Check connections', action: { kind: 'check' } },
    { label: 'Settings…', action: { kind: 'settings' } },
    { label: 'Start at login', type: 'checkbox', checked: state.settings.startAtLogin, action: { kind: 'start-at-login', on: !state.settings.startAtLogin } },
    sep,
    { label: 'Quit', action: { kind: 'quit' } },
  );
  return items;
}
