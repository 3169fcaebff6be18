/** Token checks of `burrow serve`'s listeners, in constant time. */
import { timingSafeEqual } from 'node:crypto';

export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token of an `Authorization: Bearer ...` header. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer (.+)$/.exec(header ?? '')?.[1];
}

/** Whether an Authorization header carries one of the tokens. */
export function bearerMatches(header: string | undefined, tokens: (string | undefined)[]): boolean {
  const given = bearerToken(header);
  return tokens.some((t) => sameToken(given, t));
}
