import type { ErrorKind, RunError, StepName } from '../../shared/run-types';

/** Kinds where trying again later may well succeed (the network, a busy host). */
const RETRYABLE: ReadonlySet<ErrorKind> = new Set(['unreachable', 'timeout', 'port-in-use', 'rsync']);

/** An error Burrow understands: a kind, a message meant for a person, and whether to retry. */
export class BurrowError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BurrowError';
    this.kind = kind;
  }
  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

/** Turns anything thrown into a RunError for the record. */
export function toRunError(err: unknown, step?: StepName): RunError {
  const e: RunError =
    err instanceof BurrowError ? { kind: err.kind, message: err.message } : { kind: 'internal', message: err instanceof Error ? err.message : String(err) };
  if (step) e.step = step;
  return e;
}

export function isCancelled(err: unknown): boolean {
  return err instanceof BurrowError && err.kind === 'cancelled';
}

export function cancelledError(what = 'the run'): BurrowError {
  return new BurrowError('cancelled', `${what} was cancelled`);
}
