/**
 * Which engine events become a notice, and what it says: one policy for
 * every channel (the desktop, e-mail, webhooks), so the tray app, the
 * daemon and `burrow serve` tell the same things. Pure apart from the
 * memory of an open catch-up, and tests cover every case.
 *
 * - Missed slots found together (at start-up, on resume, after a clock
 *   jump) make one notice per job, with their count, causes and range,
 *   "catching up now"; then one notice with the catch-up's outcome. Later
 *   failed attempts of the same catch-up stay quiet.
 * - A failed run: one notice with its cause (its slot is not told again).
 * - Stale: one notice per stretch without success (the scheduler decides),
 *   unless the wake-up's missed notice for the job already said it.
 * - Success: a notice every channel may take or leave (notifySuccess).
 * - A deferred slot (battery, metered network) is the person's own rule:
 *   it shows in Status and the tray, not as a notice.
 */
import type { EngineEvent } from './engine-events';
import type { MissedCause, MissedSlot } from './missed-slots';
import { retryRuleOf, type RetryRule } from './retry-rules';
import type { UiSettings } from './ui-settings';

export type NotificationSettings = Pick<UiSettings, 'quiet' | 'notifySuccess'>;

export const DEFAULT_NOTIFICATIONS: NotificationSettings = { quiet: false, notifySuccess: false };

export type NoticeKind = 'missed' | 'failed' | 'stale' | 'succeeded' | 'caught-up' | 'test';

export interface Notice {
  kind: NoticeKind;
  /** The job it is about (none for a test). */
  job?: string;
  title: string;
  body: string;
  urgency: 'low' | 'normal' | 'critical';
  /** When it was decided, ISO. */
  at: string;
  /** The notification offers "Run now" for this job. */
  runNow?: boolean;
  /** Clicking opens this run. */
  runId?: string;
}

/** Why a slot was missed, in words (notices, the UI, the tray). */
export const CAUSE_TEXT: Record<MissedCause, string> = {
  'laptop-off': 'the laptop was off',
  asleep: 'the laptop was asleep',
  failed: 'the run failed',
  skipped: 'the schedule was paused',
  queued: 'it was still waiting for its turn (too many backups due at once) when its next slot came',
  'deferred-battery': 'deferred: on battery',
  'deferred-low-battery': 'deferred: battery low',
  'deferred-metered': 'deferred: metered network',
};

/** What Burrow does next after a failure, by its retry rule (shared/retry-rules.ts). */
const NEXT: Record<RetryRule, string> = {
  'when-back': 'Burrow tries again as soon as both hosts answer.',
  backoff: 'Burrow tries again until the next scheduled backup.',
  never: 'Burrow does not try this again by itself: it needs you. The next scheduled backup, or Run now, tries again.',
};

/** Causes that raise no missed notice: the failure was told by itself; a deferral is the job's own rule. */
const SILENT: ReadonlySet<MissedCause> = new Set(['failed', 'deferred-battery', 'deferred-low-battery', 'deferred-metered']);

/** Whether a missed slot was deferred on purpose (battery, metered network). */
export function isDeferral(cause: MissedCause): boolean {
  return cause.startsWith('deferred-');
}

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

/** "the laptop was off" or "the laptop was off: 5; the laptop was asleep: 2". */
function causesText(slots: MissedSlot[]): string {
  const counts = new Map<MissedCause, number>();
  for (const s of slots) counts.set(s.cause, (counts.get(s.cause) ?? 0) + 1);
  if (counts.size === 1) return CAUSE_TEXT[slots[0]!.cause];
  return [...counts].map(([c, n]) => `${CAUSE_TEXT[c]}: ${n}`).join('; ');
}

/** One notice for slots of one job found together. */
export function missedNotice(job: string, slots: MissedSlot[], at: string): Notice {
  const sorted = [...slots].sort((a, b) => a.slot.localeCompare(b.slot));
  const catchingUp = sorted.some((s) => s.cause !== 'skipped');
  const tail = catchingUp ? '; catching up now.' : '.';
  const n = sorted.length;
  const body =
    n === 1
      ? `The backup due ${when(sorted[0]!.slot)} did not run: ${causesText(sorted)}${tail}`
      : `${n} backups missed (${causesText(sorted)}), ${when(sorted[0]!.slot)} – ${when(sorted[n - 1]!.slot)}${tail}`;
  return { kind: 'missed', job, title: n === 1 ? `Backup missed: ${job}` : `${n} backups missed: ${job}`, body, urgency: 'normal', at, runNow: catchingUp };
}

/** A catch-up told and not yet resolved: its outcome is told once. */
interface Episode {
  count: number;
  first: string;
  last: string;
  /** The first failed attempt was told; the next ones stay quiet until a success. */
  failureTold: boolean;
}

/**
 * Turns engine events into notices. Keeps one thing in memory per job: an
 * open catch-up, so that its outcome is told once.
 */
export class NoticePolicy {
  private readonly episodes = new Map<string, Episode>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  decide(e: EngineEvent): Notice[] {
    const at = this.now().toISOString();
    switch (e.type) {
      case 'missed-found': {
        const told = e.slots.filter((s) => !SILENT.has(s.cause));
        if (told.length === 0) return [];
        const notice = missedNotice(e.job, told, at);
        if (notice.runNow) this.openEpisode(e.job, told);
        return [notice];
      }
      case 'run-finished': {
        const r = e.run;
        if (r.dryRun) return [];
        const episode = this.episodes.get(r.job);
        if (r.status === 'failed') {
          const cause = r.error?.message ?? 'unknown error';
          const rule = retryRuleOf(r.error);
          if (r.trigger === 'catch-up' && episode) {
            if (episode.failureTold) return [];
            episode.failureTold = true;
            return [
              {
                kind: 'failed',
                job: r.job,
                title: `Catch-up failed: ${r.job}`,
                body: `${cause}. ${NEXT[rule]}`,
                urgency: 'critical',
                at,
                runId: r.id,
              },
            ];
          }
          // A scheduled run's failure says what comes next when that is not the usual backoff.
          const body = r.trigger === 'schedule' && rule !== 'backoff' ? `${cause}. ${NEXT[rule]}` : cause;
          return [{ kind: 'failed', job: r.job, title: `Backup failed: ${r.job}`, body, urgency: 'critical', at, runId: r.id }];
        }
        if (r.status !== 'succeeded') return [];
        const out: Notice[] = [];
        if (episode) {
          this.episodes.delete(r.job);
          const range =
            episode.count === 1 ? `the backup due ${when(episode.first)}` : `${episode.count} missed backups (${when(episode.first)} – ${when(episode.last)})`;
          out.push({ kind: 'caught-up', job: r.job, title: `Caught up: ${r.job}`, body: `Run ${r.id} covers ${range}.`, urgency: 'low', at, runId: r.id });
        }
        out.push({
          kind: 'succeeded',
          job: r.job,
          title: `Backup done: ${r.job}`,
          body: r.snapshot ? `Snapshot ${r.snapshot.name} is at the destination.` : `${r.verified?.length ?? 0} archive(s) verified at the destination.`,
          urgency: 'low',
          at,
          runId: r.id,
        });
        return out;
      }
      case 'stale':
        // Found stale at the wake-up that told the missed slots: that notice said it already.
        if (this.episodes.has(e.job)) return [];
        return [
          {
            kind: 'stale',
            job: e.job,
            title: `Backups are stale: ${e.job}`,
            body: e.lastSuccess ? `The last successful backup was ${describeAge(e.ageMs)} ago.` : 'There has been no successful backup yet.',
            urgency: 'critical',
            at,
            runNow: true,
          },
        ];
      default:
        return [];
    }
  }

  private openEpisode(job: string, slots: MissedSlot[]): void {
    const sorted = slots.map((s) => s.slot).sort();
    const old = this.episodes.get(job);
    this.episodes.set(job, {
      count: (old?.count ?? 0) + sorted.length,
      first: old && old.first < sorted[0]! ? old.first : sorted[0]!,
      last: old && old.last > sorted[sorted.length - 1]! ? old.last : sorted[sorted.length - 1]!,
      failureTold: false,
    });
  }
}

/** Whether a desktop shows a notice under the person's settings (quiet, notifySuccess). */
export function desktopShows(n: Notice, settings: NotificationSettings): boolean {
  if (settings.quiet) return n.kind === 'test';
  return n.kind !== 'succeeded' || settings.notifySuccess;
}

/** The notice `burrow notify-test` and the Settings page's button send. */
export function testNotice(at: Date): Notice {
  return {
    kind: 'test',
    title: 'Burrow: test notice',
    body: 'This channel works: Burrow will tell you here when a backup is missed, fails or goes stale.',
    urgency: 'low',
    at: at.toISOString(),
  };
}
