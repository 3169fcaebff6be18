/**
 * What each rsync exit status means for a Burrow run. Every code maps to a
 * defined outcome; a code not listed is a failure.
 */
import type { ErrorKind } from './run-types';

export interface RsyncOutcome {
  /** ok: the transfer counts; warning: it counts, with a note; failed: it does not. */
  state: 'ok' | 'warning' | 'failed';
  kind?: ErrorKind;
  meaning: string;
}

const TABLE: Record<number, RsyncOutcome> = {
  0: { state: 'ok', meaning: 'success' },
  1: { state: 'failed', kind: 'rsync', meaning: 'syntax or usage error' },
  2: { state: 'failed', kind: 'rsync', meaning: 'protocol incompatibility' },
  3: { state: 'failed', kind: 'rsync', meaning: 'errors selecting input/output files or directories' },
  4: { state: 'failed', kind: 'rsync', meaning: 'requested action not supported by the other rsync' },
  5: { state: 'failed', kind: 'rsync', meaning: 'error starting client-server protocol' },
  6: { state: 'failed', kind: 'rsync', meaning: 'daemon unable to append to log file' },
  10: { state: 'failed', kind: 'rsync', meaning: 'error in socket I/O' },
  11: { state: 'failed', kind: 'rsync', meaning: 'error in file I/O (is the destination full or read-only?)' },
  12: { state: 'failed', kind: 'rsync', meaning: 'error in the rsync protocol data stream (the connection broke)' },
  13: { state: 'failed', kind: 'rsync', meaning: 'errors with program diagnostics' },
  14: { state: 'failed', kind: 'rsync', meaning: 'error in IPC code' },
  20: { state: 'failed', kind: 'cancelled', meaning: 'received SIGUSR1 or SIGINT' },
  21: { state: 'failed', kind: 'rsync', meaning: 'some error returned by waitpid()' },
  22: { state: 'failed', kind: 'rsync', meaning: 'error allocating core memory buffers' },
  23: { state: 'failed', kind: 'rsync', meaning: 'partial transfer due to error' },
  24: { state: 'warning', meaning: 'some source files vanished before they could be transferred' },
  25: { state: 'failed', kind: 'rsync', meaning: 'the --max-delete limit stopped deletions' },
  30: { state: 'failed', kind: 'timeout', meaning: 'timeout in data send/receive' },
  35: { state: 'failed', kind: 'timeout', meaning: 'timeout waiting for daemon connection' },
  255: { state: 'failed', kind: 'unreachable', meaning: 'the ssh connection through the tunnel failed' },
};

export function rsyncOutcome(code: number | null): RsyncOutcome {
  if (code === null) return { state: 'failed', kind: 'rsync', meaning: 'rsync ended without an exit status' };
  return TABLE[code] ?? { state: 'failed', kind: 'rsync', meaning: `unknown rsync exit status ${code}` };
}
