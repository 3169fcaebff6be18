/**
 * The one door every UI request comes through, from IPC or HTTP: the name
 * must be in the contract and the payload must pass its schema before any
 * handler sees it.
 */
import { ARG_SCHEMAS, REQUEST_NAMES, type RequestName } from '../../../shared/api-contract';
import { formatPath } from '../../../shared/config-schema';
import { BurrowError } from '../errors';
import type { Handlers } from './app-service';

export class BadRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadRequestError';
  }
}

export function isRequestName(name: string): name is RequestName {
  return (REQUEST_NAMES as readonly string[]).includes(name);
}

export async function dispatch(handlers: Handlers, name: string, rawArgs: unknown): Promise<unknown> {
  if (!isRequestName(name)) throw new BadRequestError(`unknown request "${name}"`);
  const parsed = ARG_SCHEMAS[name].safeParse(rawArgs ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new BadRequestError(`bad arguments for ${name}: ${first ? `${formatPath(first.path)}: ${first.message}` : 'invalid'}`);
  }
  const handler = handlers[name] as (args: unknown) => Promise<unknown>;
  return handler(parsed.data);
}

/** What a failed request tells the UI: a message, and config problems when there are some. */
export function errorBody(err: unknown): { message: string; kind?: string } {
  if (err instanceof BurrowError) return { message: err.message, kind: err.kind };
  return { message: err instanceof Error ? err.message : String(err) };
}
