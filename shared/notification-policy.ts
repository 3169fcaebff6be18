/**
 * Which engine events become a notification, and what it says. Pure, so the
 * tray app and the daemon show the same thing, and tests cover every case.
 * Policy: one per missed slot, one per failure, one when backups go stale;
 * successes are silent unless asked for; "quiet" silences everything.
 */
import type { EngineEvent } from './engine-events';
import type { MissedCause } from './missed-slots';
import type { UiSettings } from './ui-settings';

export type NotificationSettings = Pick<UiSettings, 'quiet' | 'notifySuccess'>;

export const DEFAULT_NOTIFICATIONS: NotificationSettings = { quiet: false, notifySuccess: false };

export interface Notice {
  kind: 'missed' | 'failed' | 'stale' | 'succeeded';
  job: string;
  title: string;
  body: string;
  urgency: 'low' | 'normal' | 'critical';
  /** The notification offers "Run now" for this job. */
  runNow?: boolean;
  /** Clicking opens this run. */
  runId?: string;
}

/** Why a slot was missed, in words (notifications and the UI). */
export const CAUSE_TEXT: Record<MissedCause, string> = {
  'laptop-off': 'the laptop was off',
  asleep: 'the laptop was asleep',
  failed: 'the run failed',
  skipped: 'the schedule was paused',
};

function when(iso: string): string {
  const d = new Date(iso);
  const day = d.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short' });
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return `${day} ${time}`;
}

export function describeAge(ms: number): string {
  const h = ms / 3_600_000;
  if (h < 1) return `${Math.max(1, Math.round(ms / 60_000))} min`;
  if (h < 48) return `${Math.round(h)} h`;
  return `${Math.round(h / 24)} days`;
}

export function noticeFor(e: EngineEvent, settings: NotificationSettings = DEFAULT_NOTIFICATIONS): Notice | undefined {
  if (settings.quiet) return undefined;
  switch (e.type) {
    case 'missed':
      if (e.cause === 'failed') return undefined; // the failure itself was already notified
      return {
        kind: 'missed',
        job: e.job,
        title: `Backup missed: ${e.job}`,
        body: `The backup due ${when(e.slot)} did not run: ${CAUSE_TEXT[e.cause]}.`,
        urgency: 'normal',
        runNow: e.cause !== 'skipped',
      };
    case 'run-finished': {
      const r = e.run;
      if (r.status === 'failed') {
        return { kind: 'failed', job: r.job, title: `Backup failed: ${r.job}`, body: r.error?.message ?? 'unknown error', urgency: 'critical', runId: r.id };
      }
      if (r.status === 'succeeded' && settings.notifySuccess) {
        return {
          kind: 'succeeded',
          job: r.job,
          title: `Backup done: ${r.job}`,
          body: `${r.verified?.length ?? 0} archive(s) verified at the destination.`,
          urgency: 'low',
          runId: r.id,
        };
      }
      return undefined;
    }
    case 'stale':
      return {
        kind: 'stale',
        job: e.job,
        title: `Backups are stale: ${e.job}`,
        body: e.lastSuccess ? `The last successful backup was ${describeAge(e.ageMs)} ago.` : 'There has been no successful backup yet.',
        urgency: 'critical',
        runNow: true,
      };
    default:
      return undefined;
  }
}
