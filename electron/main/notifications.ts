/**
 * Desktop notifications, decided by the shared policy (shared/notification-policy):
 * missed (with Run now), failed (a click opens that run), stale; quiet
 * silences them all.
 */
import { Notification } from 'electron';
import type { AppEvent, UiSettings } from '../../shared/api-contract';
import { noticeFor } from '../../shared/notification-policy';

export interface NoticeActions {
  runNow(job: string): void;
  openRun(runId?: string): void;
}

export function showNotice(e: AppEvent, settings: UiSettings, actions: NoticeActions): void {
  if (e.type === 'state' || !Notification.isSupported()) return;
  const notice = noticeFor(e, settings);
  if (!notice) return;
  const n = new Notification({
    title: notice.title,
    body: notice.body,
    urgency: notice.urgency,
    actions: notice.runNow ? [{ type: 'button', text: 'Run now' }] : [],
  });
  n.on('action', () => actions.runNow(notice.job));
  n.on('click', () => actions.openRun(notice.runId));
  n.show();
}
