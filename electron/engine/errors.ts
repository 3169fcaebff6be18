import type { ApiProblem } from '../../shared/api-reply';
import type { ConfigProblem } from '../../shared/config-schema';
import { RETRY_RULE } from '../../shared/retry-rules';
import type { ErrorKind, RunError, StepName } from '../../shared/run-types';

/**
 * An error Burrow understands: a kind, a message meant for a person, and
 * whether to retry; `problems` name the fields of a request or config that
 * caused it, for a form to show each one where it belongs.
 */
export class BurrowError extends Error {
  readonly kind: ErrorKind;
  readonly problems?: ApiProblem[];
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown; problems?: ApiProblem[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BurrowError';
    this.kind = kind;
    if (options?.problems?.length) this.problems = options.problems;
  }
  /** Whether trying again may help without a person acting (shared/retry-rules.ts; the catch-up follows the same rule). */
  get retryable(): boolean {
    return RETRY_RULE[this.kind] !== 'never';
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

/** A config's problems as the reply envelope names them: the field path, the message, the value and the label. */
export function configProblems(problems: readonly ConfigProblem[]): ApiProblem[] {
  return problems.map((p) => ({
    path: p.field,
    message: p.message,
    ...(p.value !== undefined ? { value: p.value } : {}),
    ...(p.label !== undefined ? { label: p.label } : {}),
  }));
}
