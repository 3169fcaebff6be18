/**
 * The tray app's desktop channel: Electron notifications, through the same
 * Channel interface as every other (the engine's notifier decides what is
 * said). Missed and stale offer Run now; a click opens the run; the
 * person's quiet and notifySuccess settings apply.
 */
import { Notification } from 'electron';
import { DESKTOP_CHANNEL } from '../../shared/alerts-schema';
import { desktopShows, type NotificationSettings } from '../../shared/notification-policy';
import type { Channel } from '../engine/notify/channel';

export interface NoticeActions {
  runNow(job: string): void;
  openRun(runId?: string): void;
}

export function electronDesktopChannel(settings: () => NotificationSettings, actions: NoticeActions): Channel {
  return {
    name: DESKTOP_CHANNEL,
    type: 'desktop',
    // Where the system has no notifications, the window and the tray still show everything.
    wants: (m) => m.kind === 'notice' && Notification.isSupported() && desktopShows(m.notice, settings()),
    send: async (m) => {
      if (m.kind !== 'notice') return;
      const notice = m.notice;
      const n = new Notification({
        title: notice.title,
        body: notice.body,
        urgency: notice.urgency,
        actions: notice.runNow && notice.job ? [{ type: 'button', text: 'Run now' }] : [],
      });
      const job = notice.job;
      if (job) n.on('action', () => actions.runNow(job));
      n.on('click', () => actions.openRun(notice.runId));
      n.show();
    },
  };
}
