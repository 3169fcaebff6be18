/**
 * The one home of sending. Subscribed once to an engine's events by the
 * tray app, `burrow daemon` and `burrow serve` alike: the shared policy
 * decides what is said, and every channel that wants a message gets it,
 * in order, on its own lane. A delivery that fails is retried with backoff
 * on the injected clock and its channel shows as failing in Status; nothing
 * here is awaited by a run.
 */
import { EventEmitter } from 'node:events';
import type { ChannelStatus, ChannelTestResult } from '../../../shared/channel-status';
import type { Clock } from '../../../shared/clock';
import type { EngineEvent } from '../../../shared/engine-events';
import { NoticePolicy, testNotice } from '../../../shared/notification-policy';
import type { RunRecord } from '../../../shared/run-types';
import { BurrowError } from '../errors';
import type { Channel, Message } from './channel';

export interface RetryPolicy {
  /** First retry this long after a failure, doubling up to maxMs. */
  firstMs: number;
  maxMs: number;
  /** A message is given up after this many attempts (counted in Status as dropped). */
  maxAttempts: number;
}

/** 30 s, 1, 2, 4, 8, 16, 30, 30, 30 min: about two and a half hours in ten attempts. */
export const DEFAULT_RETRY: RetryPolicy = { firstMs: 30_000, maxMs: 30 * 60_000, maxAttempts: 10 };
/** Messages a lane holds while its channel is down; the oldest go first beyond it. */
const MAX_PENDING = 100;

export interface NotifierOptions {
  channels: Channel[];
  clock: Clock;
  retry?: RetryPolicy;
  /** How long one delivery may take. */
  sendTimeoutMs?: number;
  log?: (level: 'info' | 'warn', message: string) => void;
}

interface Pending {
  message: Message;
  attempts: number;
  nextAt: number;
}

interface Lane {
  channel: Channel;
  queue: Pending[];
  sending?: Promise<void> | undefined;
  status: ChannelStatus;
}

/** A run's start and end as ping URLs see them. */
export function runMessage(e: EngineEvent): Message | undefined {
  if (e.type !== 'run-started' && e.type !== 'run-finished') return undefined;
  const r: RunRecord = e.run;
  if (r.dryRun) return undefined;
  if (e.type === 'run-started') return { kind: 'run', phase: 'start', job: r.job, runId: r.id, at: r.startedAt };
  const at = r.endedAt ?? r.startedAt;
  if (r.status === 'succeeded') return { kind: 'run', phase: 'success', job: r.job, runId: r.id, at };
  const cause = r.status === 'cancelled' ? 'cancelled' : `${r.error?.step ? `${r.error.step}: ` : ''}${r.error?.message ?? 'failed'}`;
  return { kind: 'run', phase: 'fail', job: r.job, runId: r.id, at, cause: cause.replace(/\s+/g, ' ').slice(0, 1000) };
}

export class Notifier extends EventEmitter<{ status: [ChannelStatus[]] }> {
  private readonly lanes: Lane[];
  private readonly policy: NoticePolicy;
  private readonly retry: RetryPolicy;
  private interval?: NodeJS.Timeout | undefined;

  constructor(private readonly opts: NotifierOptions) {
    super();
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.policy = new NoticePolicy(() => opts.clock.now());
    this.lanes = opts.channels.map((channel) => ({
      channel,
      queue: [],
      status: { name: channel.name, type: channel.type, state: 'idle', pending: 0, dropped: 0 },
    }));
  }

  private get now(): number {
    return this.opts.clock.now().getTime();
  }

  /** Listens to a source of engine events; returns the function that stops listening. */
  attach(source: { on(ev: 'event', l: (e: EngineEvent) => void): unknown; off(ev: 'event', l: (e: EngineEvent) => void): unknown }): () => void {
    const listener = (e: EngineEvent) => this.handle(e);
    source.on('event', listener);
    return () => void source.off('event', listener);
  }

  /** Decides what an event says and queues it on every channel that wants it; never throws, never waits. */
  handle(e: EngineEvent): void {
    const messages: Message[] = this.policy.decide(e).map((notice) => ({ kind: 'notice', notice }));
    const run = runMessage(e);
    if (run) messages.push(run);
    for (const m of messages) for (const lane of this.lanes) this.offer(lane, m);
  }

  private offer(lane: Lane, message: Message): void {
    let wanted = false;
    try {
      wanted = lane.channel.wants(message);
    } catch (err) {
      this.opts.log?.('warn', `alert channel ${lane.channel.name}: ${(err as Error).message}`);
    }
    if (!wanted) return;
    if (lane.queue.length >= MAX_PENDING) {
      lane.queue.splice(lane.sending ? 1 : 0, 1);
      lane.status.dropped++;
    }
    lane.queue.push({ message, attempts: 0, nextAt: this.now });
    void this.pump(lane);
  }

  /** Sends what is due on a lane, in order; stops at a failure until its retry is due. */
  private pump(lane: Lane): Promise<void> {
    if (lane.sending) return lane.sending;
    lane.sending = (async () => {
      while (lane.queue.length > 0) {
        const head = lane.queue[0]!;
        if (head.nextAt > this.now) break;
        try {
          await lane.channel.send(head.message, AbortSignal.timeout(this.opts.sendTimeoutMs ?? 30_000));
          lane.queue.shift();
          this.delivered(lane);
        } catch (err) {
          head.attempts++;
          const cause = (err as Error).message.split('\n')[0]!;
          if (head.attempts >= this.retry.maxAttempts) {
            lane.queue.shift();
            lane.status.dropped++;
            this.failed(lane, cause, `gave up on a message after ${head.attempts} attempts`);
            continue;
          }
          head.nextAt = this.now + Math.min(this.retry.maxMs, this.retry.firstMs * 2 ** (head.attempts - 1));
          this.failed(lane, cause, `next try at ${new Date(head.nextAt).toISOString()}`);
          break;
        }
      }
    })().finally(() => {
      lane.sending = undefined;
      this.updateStatus(lane);
    });
    return lane.sending;
  }

  private delivered(lane: Lane): void {
    const s = lane.status;
    if (s.state === 'failing') this.opts.log?.('info', `alert channel ${s.name}: delivering again`);
    s.state = 'ok';
    s.lastSentAt = this.opts.clock.now().toISOString();
    delete s.lastError;
    delete s.failingSince;
    this.updateStatus(lane);
  }

  private failed(lane: Lane, cause: string, next: string): void {
    const s = lane.status;
    if (s.state !== 'failing') s.failingSince = this.opts.clock.now().toISOString();
    s.state = 'failing';
    s.lastError = cause;
    this.opts.log?.('warn', `alert channel ${s.name}: ${cause}; ${next}`);
    this.updateStatus(lane);
  }

  private updateStatus(lane: Lane): void {
    const s = lane.status;
    s.pending = lane.queue.length;
    const head = lane.queue[0];
    if (head && head.attempts > 0) s.nextRetryAt = new Date(head.nextAt).toISOString();
    else delete s.nextRetryAt;
    this.emit('status', this.status());
  }

  /** Retries what is due. The tray app, the daemon and serve call it from arm(); tests call it after moving the clock. */
  async tick(): Promise<void> {
    await Promise.all(this.lanes.map((l) => this.pump(l)));
  }

  /** Checks for due retries every intervalMs (the timer does not keep the process alive). */
  arm(intervalMs = 15_000): void {
    this.disarm();
    this.interval = setInterval(() => void this.tick(), intervalMs);
    this.interval.unref();
  }

  disarm(): void {
    if (this.interval) clearInterval(this.interval);
    this.interval = undefined;
  }

  /** Every channel, in config order (the desktop first when the process has one). */
  status(): ChannelStatus[] {
    return this.lanes.map((l) => ({ ...l.status }));
  }

  /** Channel names, for messages. */
  names(): string[] {
    return this.lanes.map((l) => l.channel.name);
  }

  /** Resolves when every lane has finished what it is sending now (not its retries). */
  async idle(): Promise<void> {
    while (this.lanes.some((l) => l.sending)) await Promise.all(this.lanes.map((l) => l.sending));
  }

  /** Waits for what is being sent now, at most `ms` (a process about to exit: `burrow run`, SIGTERM). */
  async drain(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    await Promise.race([this.idle(), limit]);
    clearTimeout(timer);
  }

  /**
   * Sends a test notice to one channel, or to all, at once and outside the
   * queues. A channel that was failing gets its waiting messages retried
   * when the test arrives.
   */
  async test(name?: string): Promise<ChannelTestResult[]> {
    const lanes = name === undefined ? this.lanes : this.lanes.filter((l) => l.channel.name === name);
    if (name !== undefined && lanes.length === 0) {
      throw new BurrowError('config', `no alert channel named "${name}" (channels: ${this.names().join(', ') || 'none'})`);
    }
    const message: Message = { kind: 'notice', notice: testNotice(this.opts.clock.now()) };
    return Promise.all(
      lanes.map(async (lane): Promise<ChannelTestResult> => {
        const base = { name: lane.channel.name, type: lane.channel.type };
        if (!lane.channel.wants(message)) return { ...base, ok: false, message: 'this channel takes no test notice' };
        try {
          await lane.channel.send(message, AbortSignal.timeout(this.opts.sendTimeoutMs ?? 30_000));
        } catch (err) {
          return { ...base, ok: false, message: (err as Error).message.split('\n')[0]! };
        }
        const head = lane.queue[0];
        if (head) head.nextAt = this.now;
        this.delivered(lane);
        void this.pump(lane);
        return { ...base, ok: true, message: 'sent' };
      }),
    );
  }
}
