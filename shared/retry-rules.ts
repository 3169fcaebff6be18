/**
 * What a failed run's cause means for trying again: the catch-up's backoff
 * (electron/engine/scheduler.ts) and the notices (notification-policy.ts)
 * both read it from here. Browser-safe.
 *
 * - `when-back`: the laptop itself was the fault (it slept, its network
 *   changed); nothing is wrong with the hosts, so the catch-up runs as soon
 *   as both answer again, not at the next backoff step.
 * - `backoff`: the network, a busy or full host: later may well work; tried
 *   again at 1 min, doubling, until the next slot.
 * - `never`: a person has to act (the config, a host key, the source gate, a
 *   refused deletion, a destination that is not what it should be); trying
 *   again every few minutes changes nothing, so the failure is told once and
 *   the catch-up stops. The next scheduled run, or Run now, tries again.
 */
import type { ErrorKind } from './run-types';

export type RetryRule = 'when-back' | 'backoff' | 'never';

export const RETRY_RULE: Readonly<Record<ErrorKind, RetryRule>> = {
  config: 'never',
  'host-key-missing': 'never',
  'host-key-mismatch': 'never',
  auth: 'backoff', // a key store locked now may be unlocked later
  unreachable: 'backoff',
  timeout: 'backoff',
  'port-in-use': 'backoff',
  'forward-refused': 'never',
  'remote-command': 'backoff',
  rsync: 'backoff',
  'verify-mismatch': 'backoff',
  'delete-guard': 'never',
  'destination-marker': 'never',
  'gate-stale': 'never',
  slept: 'when-back',
  'network-changed': 'when-back',
  'state-dir': 'backoff',
  cancelled: 'backoff',
  internal: 'backoff',
};

/** The rule for a run's error; a run that failed without one is retried with backoff. */
export function retryRuleOf(error: { kind: ErrorKind } | undefined): RetryRule {
  return error ? RETRY_RULE[error.kind] : 'backoff';
}
