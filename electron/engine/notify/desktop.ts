/**
 * The desktop channel of a process without Electron (`burrow daemon`,
 * `burrow serve`): notify-send where it exists, otherwise a line in the log.
 * A desktop notice is of the moment: when notify-send fails (no session bus,
 * no notification daemon on a server) the notice goes to the log instead of
 * being retried, and the channel does not count as failing.
 * The tray app brings its own (electron/main/desktop-channel.ts) through
 * the same interface. The person's quiet and notifySuccess settings apply.
 */
import { spawn, spawnSync } from 'node:child_process';
import { DESKTOP_CHANNEL } from '../../../shared/alerts-schema';
import { desktopShows, type NotificationSettings } from '../../../shared/notification-policy';
import type { Channel } from './channel';

/** Whether notify-send is on the PATH. */
export function hasNotifySend(): boolean {
  return spawnSync('sh', ['-c', 'command -v notify-send'], { stdio: 'ignore' }).status === 0;
}

export interface DesktopChannelOptions {
  settings: () => NotificationSettings;
  /** Where a notice goes when there is no notify-send. */
  log: (line: string) => void;
  notifySend?: boolean;
}

export function notifySendChannel(opts: DesktopChannelOptions): Channel {
  const notifySend = opts.notifySend ?? hasNotifySend();
  return {
    name: DESKTOP_CHANNEL,
    type: 'desktop',
    wants: (m) => m.kind === 'notice' && desktopShows(m.notice, opts.settings()),
    send: async (m, signal) => {
      if (m.kind !== 'notice') return;
      const n = m.notice;
      if (!notifySend) {
        opts.log(`notice: ${n.title}: ${n.body}`);
        return;
      }
      const failed = await new Promise<string | undefined>((resolve) => {
        const child = spawn('notify-send', ['--app-name=Burrow', `--urgency=${n.urgency}`, '--', n.title, n.body], { stdio: 'ignore', signal });
        child.on('error', (err) => resolve(err.message));
        child.on('exit', (code) => resolve(code === 0 ? undefined : `exited with ${code}`));
      });
      if (failed) opts.log(`notice: ${n.title}: ${n.body} (notify-send ${failed})`);
    },
  };
}
