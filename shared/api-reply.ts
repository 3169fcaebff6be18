/**
 * The reply envelope of every request, on every path (Electron IPC and
 * `burrow serve`): `{ ok: true, value }` or `{ ok: false, error }`, where the
 * error has a kind, a message for a person, and, when the request named
 * something wrong, the problems by field path (the same paths the config's
 * schema names). The engine's dispatcher writes it once; the bridges in the
 * renderer read it once, here. Browser-safe and free of zod, so the
 * sandboxed preload can carry it as it is.
 */
import type { ErrorKind } from './run-types';

/** One thing wrong with a request, where it is: `jobs[0].tunnelPort`, `passphrase`. */
export interface ApiProblem {
  path: string;
  message: string;
  /** The offending value, shown as JSON (truncated), when it is safe to repeat (never a secret). */
  value?: string;
  /** The field as a person knows it (`Host “source”: port`), when the path is a config field. */
  label?: string;
}

export interface ApiError {
  /** The engine's error kind; `bad-request` when the request itself was malformed. */
  kind: ErrorKind | 'bad-request';
  message: string;
  problems?: ApiProblem[];
}

export type Reply<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** What a bridge method throws for an `{ ok: false }` reply (or a transport failure), for the page to show. */
export class BridgeError extends Error {
  override readonly name = 'BridgeError';
  readonly kind: ApiError['kind'] | 'transport';
  readonly problems: ApiProblem[];
  constructor(error: ApiError | { kind: 'transport'; message: string }) {
    super(error.message);
    this.kind = error.kind;
    this.problems = 'problems' in error && error.problems ? error.problems : [];
  }
}

/** The value of an ok reply; throws BridgeError for the rest. */
export function unwrapReply<T>(reply: Reply<T>): T {
  if (reply.ok) return reply.value;
  throw new BridgeError(reply.error);
}

/** Whether anything is a reply envelope (what crossed IPC or HTTP may be anything). */
export function isReply(x: unknown): x is Reply<unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as { ok?: unknown; error?: { message?: unknown } };
  return r.ok === true || (r.ok === false && typeof r.error?.message === 'string');
}
