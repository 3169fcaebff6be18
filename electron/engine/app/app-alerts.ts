/**
 * The alerts of the app's current engine (the tray app and `burrow serve`):
 * a notifier with the shell's desktop channel and the config's channels,
 * rebuilt with the engine on every load and listening before start-up looks
 * for missed slots, so that the first wake-up is told too.
 */
import type { ChannelStatus, ChannelTestResult } from '../../../shared/channel-status';
import type { Clock } from '../../../shared/clock';
import type { BurrowConfig } from '../../../shared/config-schema';
import type { Engine } from '../engine';
import type { Channel } from '../notify/channel';
import type { Notifier } from '../notify/notifier';
import { notifierFor } from '../notify/registry';

export interface AppAlertsOptions {
  /** The shell's desktop channel: Electron's notifications, or notify-send for `burrow serve`. */
  desktop?: Channel | undefined;
  clock: Clock;
  log?: (level: 'info' | 'warn', message: string) => void;
  /** A channel's health changed (the UI's state is worth pushing). */
  onStatus: () => void;
}

export class AppAlerts {
  private notifier?: Notifier;
  private detach?: () => void;
  private lastKey = '';

  constructor(private readonly opts: AppAlertsOptions) {}

  /** A notifier for this engine's config, attached to it; `arm`: retries on a timer. */
  attach(engine: Engine, arm: boolean): void {
    this.stop();
    const notifier = this.build(engine.config);
    this.detach = notifier.attach(engine);
    notifier.on('status', () => {
      // Every delivery reports; the UI hears only when something it shows changed.
      const key = JSON.stringify(notifier.status().map((s) => [s.state, s.pending, s.lastError, s.dropped]));
      if (key === this.lastKey) return;
      this.lastKey = key;
      this.opts.onStatus();
    });
    if (arm) notifier.arm();
    this.notifier = notifier;
  }

  private build(config: BurrowConfig | undefined): Notifier {
    return notifierFor(config ?? { alerts: { channels: [] } }, {
      clock: this.opts.clock,
      desktop: this.opts.desktop,
      ...(this.opts.log ? { log: this.opts.log } : {}),
    });
  }

  status(): ChannelStatus[] {
    return this.notifier?.status() ?? [];
  }

  /** A test notice; without a config yet, to the desktop alone. */
  test(channel?: string): Promise<ChannelTestResult[]> {
    return (this.notifier ?? this.build(undefined)).test(channel);
  }

  /** Resolves when what is being sent now has gone (tests; a shell about to quit). */
  async idle(): Promise<void> {
    await this.notifier?.idle();
  }

  /** No engine (no config, or an invalid one): no channels until the next attach. */
  clear(): void {
    this.stop();
    this.notifier = undefined;
  }

  private stop(): void {
    this.detach?.();
    this.notifier?.disarm();
    this.notifier?.removeAllListeners('status');
    this.detach = undefined;
  }

  /** Stops listening and gives what is being sent a moment to arrive. */
  async close(ms = 3000): Promise<void> {
    const n = this.notifier;
    this.stop();
    await n?.drain(ms);
  }
}
