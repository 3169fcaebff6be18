/**
 * One alert channel, whatever it talks to: the desktop, an SMTP server, a
 * webhook, ping URLs. The notifier decides what is said (the shared policy)
 * and when to try again; a channel only says whether a message is for it
 * and delivers it. A new kind of channel is one file in this folder and one
 * line in registry.ts; the compiler names what it still lacks.
 */
import type { ChannelType } from '../../../shared/alerts-schema';
import type { Notice } from '../../../shared/notification-policy';

/** What the notifier hands a channel. */
export type Message =
  /** A notice the policy decided on (missed, failed, stale, caught-up, succeeded, test). */
  | { kind: 'notice'; notice: Notice }
  /** A run started or ended: the dead man's switch of ping URLs. */
  | { kind: 'run'; phase: RunPhase; job: string; runId: string; at: string; cause?: string };

export type RunPhase = 'start' | 'success' | 'fail';

export interface Channel {
  /** Unique among the channels; `desktop` for the process's own. */
  readonly name: string;
  readonly type: ChannelType | 'desktop';
  /** Whether this channel says anything about the message (its jobs, its kinds, its settings). */
  wants(m: Message): boolean;
  /** Delivers the message; rejects with a one-line cause (never a secret) when it did not arrive. */
  send(m: Message, signal: AbortSignal): Promise<void>;
}

/** A delivery that did not arrive, with a cause fit for Status. */
export class ChannelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelError';
  }
}

/** What channels may read from their surroundings (injected in tests). */
export interface ChannelDeps {
  env: NodeJS.ProcessEnv;
  /** This machine's name, said in messages so an operator knows which Burrow spoke. */
  hostname: string;
}

/** Notices other than successes, and successes when the channel asked for them. */
export function wantsNotice(m: Message, notifySuccess: boolean): boolean {
  return m.kind === 'notice' && (m.notice.kind !== 'succeeded' || notifySuccess);
}
