/**
 * Every kind of channel the config can name, one line each. The map is
 * keyed by the config's channel types, so a type added to the schema
 * (shared/alerts-schema.ts) does not compile until it has its line here.
 */
import { hostname } from 'node:os';
import type { BurrowConfig } from '../../../shared/config-schema';
import type { ChannelConfig, ChannelType } from '../../../shared/alerts-schema';
import type { Clock } from '../../../shared/clock';
import type { Channel, ChannelDeps } from './channel';
import { Notifier, type NotifierOptions } from './notifier';
import { emailChannel } from './email';
import { pingChannel } from './ping';
import { webhookChannel } from './webhook';

type Factories = { [T in ChannelType]: (config: Extract<ChannelConfig, { type: T }>, deps: ChannelDeps) => Channel };

export const CHANNEL_FACTORIES: Factories = {
  email: emailChannel,
  webhook: webhookChannel,
  ping: pingChannel,
};

export function defaultChannelDeps(env: NodeJS.ProcessEnv = process.env): ChannelDeps {
  return { env, hostname: hostname() };
}

/** The config's channels, built. */
export function channelsFromConfig(config: Pick<BurrowConfig, 'alerts'>, deps: ChannelDeps = defaultChannelDeps()): Channel[] {
  return config.alerts.channels.map(<T extends ChannelType>(c: Extract<ChannelConfig, { type: T }>) => (CHANNEL_FACTORIES[c.type] as Factories[T])(c, deps));
}

export interface NotifierSetup {
  clock: Clock;
  /** The process's own desktop channel, first in line (none for `burrow run`). */
  desktop?: Channel | undefined;
  log?: NotifierOptions['log'];
  retry?: NotifierOptions['retry'];
  deps?: ChannelDeps;
}

/** A notifier with the process's desktop channel and the config's channels. */
export function notifierFor(config: Pick<BurrowConfig, 'alerts'>, setup: NotifierSetup): Notifier {
  const channels = [...(setup.desktop ? [setup.desktop] : []), ...channelsFromConfig(config, setup.deps)];
  return new Notifier({ channels, clock: setup.clock, ...(setup.log ? { log: setup.log } : {}), ...(setup.retry ? { retry: setup.retry } : {}) });
}
