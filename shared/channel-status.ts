/**
 * How each alert channel is doing, as Status, `burrow status` and /metrics
 * show it: a channel that fails is retried with backoff, and says so here
 * rather than holding up a backup. Browser-safe.
 */
export interface ChannelStatus {
  name: string;
  /** desktop, email, webhook or ping. */
  type: string;
  /** idle: nothing to send yet; ok: the last delivery arrived; failing: it did not, and is being retried. */
  state: 'idle' | 'ok' | 'failing';
  lastSentAt?: string;
  /** Why the last attempt failed, in one line (never a secret). */
  lastError?: string;
  failingSince?: string;
  /** Messages waiting, the failing one included. */
  pending: number;
  nextRetryAt?: string;
  /** Messages given up on after the last retry. */
  dropped: number;
}

/** What a "send a test" did on one channel. */
export interface ChannelTestResult {
  name: string;
  type: string;
  ok: boolean;
  /** Why it failed, or what it did ("sent to 2 ping URLs"). */
  message: string;
}
