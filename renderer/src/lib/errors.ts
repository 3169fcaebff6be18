/**
 * Errors from either bridge, in words for the page. Electron wraps a
 * handler's error as "Error invoking remote method 'burrow:x': Error: ...";
 * the person only needs the last part.
 */
import type { ConfigProblem } from '../../../shared/config-schema';

/** The readable message of anything thrown by a bridge call. */
export function errorMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  return raw.replace(/^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/, '');
}

/** Config problems carried by a thrown error (the HTTP bridge attaches them), if any. */
export function errorProblems(err: unknown): ConfigProblem[] {
  const problems = typeof err === 'object' && err !== null ? (err as { problems?: unknown }).problems : undefined;
  return Array.isArray(problems) ? (problems as ConfigProblem[]) : [];
}

/**
 * An engine error addressed to one of a form's fields ("passphrase: is
 * shorter than ..."), split into the field and the rest; undefined for
 * any other error, which the form shows as a whole.
 */
export function fieldOfError(message: string | undefined, fields: readonly string[]): { field: string; message: string } | undefined {
  const m = message === undefined ? null : /^([A-Za-z]+): ([\s\S]+)$/.exec(message);
  return m && fields.includes(m[1]!) ? { field: m[1]!, message: m[2]! } : undefined;
}
