/**
 * The one door every UI request comes through, from IPC or HTTP: the name
 * must be in the contract and the payload must pass its schema before any
 * handler sees it. Whatever happens, the caller gets the contract's reply
 * envelope (shared/api-reply.ts): a value, or an error with its kind, its
 * message and, when fields caused it, the problems by field path. Nothing
 * is thrown past it.
 */
import { ARG_SCHEMAS, REQUEST_NAMES, type Handlers, type RequestName } from '../../../shared/api-contract';
import type { ApiError, ApiProblem, Reply } from '../../../shared/api-reply';
import { formatPath } from '../../../shared/config-schema';
import { BurrowError } from '../errors';

export function isRequestName(name: string): name is RequestName {
  return (REQUEST_NAMES as readonly string[]).includes(name);
}

/** Runs one request; resolves with its reply, never rejects. `onUnexpected` hears errors nobody foresaw (for a log). */
export async function dispatch(handlers: Handlers, name: string, rawArgs: unknown, onUnexpected?: (err: unknown) => void): Promise<Reply<unknown>> {
  if (!isRequestName(name)) return { ok: false, error: { kind: 'bad-request', message: `unknown request "${name}"` } };
  const parsed = ARG_SCHEMAS[name].safeParse(rawArgs ?? {});
  if (!parsed.success) {
    const problems: ApiProblem[] = parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
    const first = problems[0];
    return {
      ok: false,
      error: { kind: 'bad-request', message: `bad arguments for ${name}: ${first ? `${first.path}: ${first.message}` : 'invalid'}`, problems },
    };
  }
  try {
    const handler = handlers[name] as (args: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (err) {
    if (!(err instanceof BurrowError)) onUnexpected?.(err);
    return { ok: false, error: replyError(err) };
  }
}

/** What a failed request tells the UI. */
export function replyError(err: unknown): ApiError {
  if (err instanceof BurrowError) return { kind: err.kind, message: err.message, ...(err.problems ? { problems: err.problems } : {}) };
  return { kind: 'internal', message: err instanceof Error ? err.message : String(err) };
}
